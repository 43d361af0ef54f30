import PruneKitCore

/// A strict RFC 8259 JSON parser for safetensors headers.
///
/// It reads raw bytes, checks that every string is valid UTF-8, limits nesting to `maximumDepth` (so a
/// hostile header of a million `[` cannot overflow the stack), and reports every failure as
/// `PruneKitError.malformedFile` naming the file and the byte offset inside the header.
///
/// ```swift
/// let json = try HeaderJSONParser.parse(headerBytes, path: "model.safetensors")
/// ```
struct HeaderJSONParser {
    /// Deepest nesting accepted; a valid header needs 3 (root, tensor entry, shape).
    static let maximumDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private let path: String
    private var position = 0
    private var depth = 0

    private init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Parses one JSON value surrounded by optional whitespace (the reference writer pads with spaces).
    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> HeaderJSON {
        var parser = HeaderJSONParser(bytes: bytes, path: path)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("end of header after the JSON value") }
        return value
    }

    // MARK: - Values

    private mutating func parseValue() throws -> HeaderJSON {
        guard let byte = peek() else { throw failure("a JSON value") }
        switch byte {
        case UInt8(ascii: "{"): return try nested { try $0.parseObject() }
        case UInt8(ascii: "["): return try nested { try $0.parseArray() }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"): try expectLiteral("true"); return .boolean(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .boolean(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default: throw failure("a JSON value")
        }
    }

    private mutating func nested(_ body: (inout HeaderJSONParser) throws -> HeaderJSON) throws -> HeaderJSON {
        depth += 1
        guard depth <= HeaderJSONParser.maximumDepth else {
            throw failure("nesting at most \(HeaderJSONParser.maximumDepth) levels deep")
        }
        defer { depth -= 1 }
        return try body(&self)
    }

    private mutating func parseObject() throws -> HeaderJSON {
        position += 1  // "{"
        var members: [(key: String, value: HeaderJSON)] = []
        skipWhitespace()
        if consumeIf("}") { return .object(members) }
        repeat {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("a string key") }
            let key = try parseString()
            skipWhitespace()
            guard consumeIf(":") else { throw failure("':' after object key") }
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
        } while consumeIf(",")
        guard consumeIf("}") else { throw failure("',' or '}' in object") }
        return .object(members)
    }

    private mutating func parseArray() throws -> HeaderJSON {
        position += 1  // "["
        var elements: [HeaderJSON] = []
        skipWhitespace()
        if consumeIf("]") { return .array(elements) }
        repeat {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
        } while consumeIf(",")
        guard consumeIf("]") else { throw failure("',' or ']' in array") }
        return .array(elements)
    }

    /// Integers without fraction or exponent that fit in `Int` become `.integer`; the rest `.number`.
    private mutating func parseNumber() throws -> HeaderJSON {
        let start = position
        _ = consumeIf("-")
        guard let first = peek(), isDigit(first) else { throw failure("a digit") }
        if first == UInt8(ascii: "0") { position += 1 } else { skipDigits() }
        var isIntegral = true
        if consumeIf(".") {
            isIntegral = false
            guard let digit = peek(), isDigit(digit) else { throw failure("a digit after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isIntegral = false
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), isDigit(digit) else { throw failure("a digit in the exponent") }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isIntegral, let value = Int(text) { return .integer(value) }
        return .number(text)
    }

    // MARK: - Strings

    private mutating func parseString() throws -> String {
        let start = position
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else { throw failure("closing '\"' of the string starting at byte \(start)") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw failure("a valid UTF-8 string",
                                  found: "invalid UTF-8 in the string starting at header byte \(start)")
                }
                return text
            case UInt8(ascii: "\\"): utf8.append(contentsOf: try parseEscape())
            case 0..<0x20: throw failure("no raw control character inside a string", at: position - 1)
            default: utf8.append(byte)
            }
        }
    }

    /// Reads the character after a backslash and returns its UTF-8 bytes.
    private mutating func parseEscape() throws -> [UInt8] {
        guard let byte = peek() else { throw failure("an escape character") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [byte]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "u"): return Array(String(try parseUnicodeEscape()).utf8)
        default: throw failure("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u", at: position - 1)
        }
    }

    /// `\uXXXX`, combining a UTF-16 surrogate pair written as two escapes; lone surrogates are errors.
    private mutating func parseUnicodeEscape() throws -> Unicode.Scalar {
        let high = try parseHexQuad()
        if let scalar = Unicode.Scalar(high) { return scalar }
        guard (0xD800...0xDBFF).contains(high), consumeIf("\\"), consumeIf("u") else {
            throw failure("a valid \\u escape (lone UTF-16 surrogate)")
        }
        let low = try parseHexQuad()
        guard (0xDC00...0xDFFF).contains(low),
              let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) else {
            throw failure("a low UTF-16 surrogate after a high one")
        }
        return scalar
    }

    private mutating func parseHexQuad() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = hexValue(byte) else { throw failure("4 hexadecimal digits after \\u") }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    // MARK: - Bytes

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func consumeIf(_ character: Unicode.Scalar) -> Bool {
        guard peek() == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    private mutating func expectLiteral(_ literal: String) throws {
        for expected in literal.utf8 {
            guard peek() == expected else { throw failure("the literal \(literal)") }
            position += 1
        }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// A malformed-file error: "expected <what> at header byte N, found <the byte there>".
    private func failure(_ expected: String, at offset: Int? = nil, found override: String? = nil) -> PruneKitError {
        let offset = offset ?? position
        let found: String
        if let override {
            found = override
        } else if offset >= bytes.count {
            found = "end of header at header byte \(offset)"
        } else {
            let byte = bytes[offset]
            let isPrintable = byte >= 0x20 && byte < 0x7F
            let shown = isPrintable ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            found = "\(shown) at header byte \(offset)"
        }
        return .malformedFile(path: path, expected: "JSON header: \(expected)", found: found)
    }
}
