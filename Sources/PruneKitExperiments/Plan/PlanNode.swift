import Foundation
import PruneKitCore

/// One value of a plan file together with its key path (`methods[1].options`), so that every validation error
/// names the place in the file: `PruneKitError.invalidParameter(name: "methods[1].name", ...)`.
///
/// ```swift
/// let root = try PlanNode(json: Data(#"{"seeds": [1, 2]}"#.utf8))
/// let seeds = try root.object(allowed: ["seeds"])["seeds"]!.array().map { try $0.integer(in: 0...1000) }   // [1, 2]
/// ```
struct PlanNode {
    /// The decoded value.
    let value: JSONValue
    /// The key path from the file's root; empty for the root.
    let path: String

    /// The root of a JSON document.
    init(json data: Data) throws {
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw PruneKitError.invalidParameter(name: "(root)", expected: "a JSON document", found: "invalid JSON (\(error))")
        }
        path = ""
    }

    init(value: JSONValue, path: String) { (self.value, self.path) = (value, path) }

    /// The path shown in errors (`(root)` for the document itself).
    var name: String { path.isEmpty ? "(root)" : path }

    func failure(_ expected: String, found: String? = nil) -> PruneKitError {
        .invalidParameter(name: name, expected: expected, found: found ?? value.description)
    }

    /// The object's members, after checking that every key is one of `allowed` (a typo names itself).
    func object(allowed: [String]) throws -> [String: PlanNode] {
        guard case let .object(members) = value else { throw failure("an object") }
        var result: [String: PlanNode] = [:]
        for key in members.keys.sorted() {
            let childPath = path.isEmpty ? key : path + "." + key
            guard allowed.contains(key) else {
                throw PruneKitError.invalidParameter(name: childPath, expected: "one of the keys \(allowed.joined(separator: ", "))",
                                                     found: "unknown key '\(key)'")
            }
            result[key] = PlanNode(value: members[key]!, path: childPath)
        }
        return result
    }

    /// The list's elements, each with its index in the path.
    func array() throws -> [PlanNode] {
        guard case let .array(elements) = value else { throw failure("a list") }
        return elements.enumerated().map { PlanNode(value: $1, path: "\(path)[\($0)]") }
    }

    /// A string.
    func string() throws -> String {
        guard case let .string(text) = value else { throw failure("a string") }
        return text
    }

    /// A number (JSON numbers only, not strings).
    func number(in range: ClosedRange<Double>) throws -> Double {
        guard case let .number(number) = value, number.isFinite, range.contains(number) else {
            throw failure("a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// A whole number within `range`.
    func integer(in range: ClosedRange<Int>) throws -> Int {
        guard case let .number(number) = value, number == number.rounded(), number >= Double(range.lowerBound),
              number <= Double(range.upperBound) else {
            throw failure("an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(number)
    }

    /// true or false.
    func boolean() throws -> Bool {
        guard case let .bool(flag) = value else { throw failure("true or false") }
        return flag
    }

    /// A scalar as the text a method option parses: strings as they are, numbers and booleans printed.
    func optionText() throws -> String {
        switch value {
        case let .string(text): return text
        case let .bool(flag): return flag ? "true" : "false"
        case let .number(number): return JSONValue.text(of: number)
        default: throw failure("a string, number or boolean")
        }
    }
}

/// A JSON value decoded without Foundation's bridging (which cannot tell `true` from `1` portably).
enum JSONValue: Decodable, CustomStringConvertible {
    case object([String: JSONValue]), array([JSONValue]), string(String), number(Double), bool(Bool), null

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let elements = try? container.decode([JSONValue].self) { self = .array(elements) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// Integers without a fraction (`3`), others in Swift's shortest round-trip form (`0.25`).
    static func text(of number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : "\(number)"
    }

    /// A short rendering for error messages.
    var description: String {
        switch self {
        case let .string(text): return "'\(text)'"
        case .object: return "an object"
        case .array: return "a list"
        case .null: return "null"
        case let .bool(flag): return flag ? "true" : "false"
        case let .number(number): return Self.text(of: number)
        }
    }
}
