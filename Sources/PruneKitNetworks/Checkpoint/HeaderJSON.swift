import PruneKitCore

/// A JSON value as it appears in a safetensors header.
///
/// Foundation's `JSONSerialization` is not used for headers because it forgets key order, silently keeps
/// one of two duplicate keys and, on Linux, reads `true` as the number 1. This small tree keeps what the
/// validator needs: objects are ordered (key, value) lists that still contain duplicates, and numbers
/// are split into exact integers and everything else.
///
/// ```swift
/// let json = HeaderJSON.object([("shape", .array([.integer(2), .integer(3)]))])
/// json.serialized()   // {"shape":[2,3]}
/// ```
enum HeaderJSON {
    /// An object; keys in file order, duplicates kept.
    case object([(key: String, value: HeaderJSON)])
    /// An array.
    case array([HeaderJSON])
    /// A string.
    case string(String)
    /// A number written without fraction or exponent that fits in `Int`.
    case integer(Int)
    /// Any other number, kept as its source text (for messages).
    case number(String)
    /// `true` or `false`.
    case boolean(Bool)
    /// `null`.
    case null

    /// What kind of value this is, for "expected ..., found ..." messages.
    var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case let .string(text): return "the string \"\(text.prefix(40))\""
        case let .integer(value): return "the integer \(value)"
        case let .number(text): return "the number \(text.prefix(40))"
        case let .boolean(value): return "the boolean \(value)"
        case .null: return "null"
        }
    }

    /// Compact JSON text (no spaces), escaping like serde_json and Python's `json.dumps(ensure_ascii=False)`:
    /// `"` and `\` get a backslash, control characters become `\b \f \n \r \t` or `\u00xx`, everything
    /// else (including non-ASCII) is written as UTF-8.
    func serialized() -> String {
        var output = ""
        append(to: &output)
        return output
    }

    private func append(to output: inout String) {
        switch self {
        case let .object(members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                HeaderJSON.appendEscaped(member.key, to: &output)
                output += ":"
                member.value.append(to: &output)
            }
            output += "}"
        case let .array(elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.append(to: &output)
            }
            output += "]"
        case let .string(text): HeaderJSON.appendEscaped(text, to: &output)
        case let .integer(value): output += String(value)
        case let .number(text): output += text
        case let .boolean(value): output += value ? "true" : "false"
        case .null: output += "null"
        }
    }

    private static func appendEscaped(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
