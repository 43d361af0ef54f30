import PruneKitCore

/// Reads protocol-buffer wire encoding from untrusted bytes (an `.onnx` file): the inverse of `ProtobufWriter`, plus the
/// 64-bit wire type and packed repeated numbers, which other writers (onnx, PyTorch) use.
///
/// Every read is bounds-checked and every failure is a thrown `PruneKitError.malformedFile` naming what was expected
/// and the byte offset from the start of the file: a truncated or overlong varint (more than 10 bytes, or bits past
/// 64), a length past the end of the enclosing message, a group or unknown wire type (3, 4, 6, 7), field number 0, or
/// messages nested deeper than `maximumDepth`. Nothing is allocated from a length before it is checked against the
/// bytes that remain. A reader is a window (`position ..< end`) onto one shared byte array; `message()` returns the
/// window of a nested message, so decoding copies no bytes but strings and numbers.
///
/// ```swift
/// var reader = ProtobufReader([0x08, 0x96, 0x01], source: "model.onnx")
/// let key = try reader.key()          // field 1, .varint
/// let value = try reader.varint()     // 150
/// ```
public struct ProtobufReader {
    /// The four wire types protobuf still uses (3 and 4, groups, are rejected).
    public enum WireType: UInt64, Sendable {
        /// A varint: int32, int64, enum, bool.
        case varint = 0
        /// Eight little-endian bytes: double, fixed64.
        case fixed64 = 1
        /// A varint length, then that many bytes: string, bytes, message, packed repeated numbers.
        case lengthDelimited = 2
        /// Four little-endian bytes: float, fixed32.
        case fixed32 = 5
    }

    /// How deep messages may nest (ModelProto > GraphProto > NodeProto > AttributeProto > TensorProto is 5; a
    /// TypeProto's shape adds 4 more below a ValueInfoProto).
    public static let maximumDepth = 12

    /// The whole input (shared by nested readers).
    private let bytes: [UInt8]
    /// Offset of the next unread byte, from the start of `bytes`.
    public private(set) var position: Int
    /// End of this reader's window (exclusive).
    public let end: Int
    /// Nesting depth: 0 for the outermost message.
    public let depth: Int
    /// Names the input in errors (a path).
    public let source: String

    /// A reader of all of `bytes`; `source` names them in errors.
    public init(_ bytes: [UInt8], source: String) {
        (self.bytes, position, end, depth, self.source) = (bytes, 0, bytes.count, 0, source)
    }

    private init(bytes: [UInt8], range: Range<Int>, depth: Int, source: String) {
        (self.bytes, position, end, self.depth, self.source) = (bytes, range.lowerBound, range.upperBound, depth, source)
    }

    /// Whether every byte of the window has been read.
    public var isAtEnd: Bool { position >= end }

    /// Bytes left in the window.
    public var remaining: Int { end - position }

    /// The error for a failure at `offset` (default: the current position).
    public func error(_ expected: String, found: String, at offset: Int? = nil) -> PruneKitError {
        .malformedFile(path: source, expected: expected, found: "\(found) at byte \(offset ?? position)")
    }

    /// A bare varint: 7 bits per byte, least significant group first, at most 10 bytes and 64 bits.
    public mutating func varint() throws -> UInt64 {
        let start = position
        var value: UInt64 = 0
        for index in 0..<10 {
            guard position < end else { throw error("a varint", found: "the end of the message after \(index) bytes", at: start) }
            let byte = bytes[position]
            position += 1
            if index == 9 && byte > 1 { throw error("a varint of at most 64 bits", found: "a 10th byte 0x\(String(byte, radix: 16))", at: start) }
            value |= UInt64(byte & 0x7f) << UInt64(7 * index)
            if byte & 0x80 == 0 { return value }
        }
        throw error("a varint of at most 10 bytes", found: "a longer one", at: start)
    }

    /// The next field's key: its number and wire type.
    public mutating func key() throws -> (field: Int, wireType: WireType) {
        let start = position
        let key = try varint()
        guard let type = WireType(rawValue: key & 7) else {
            let kind = (key & 7) == 3 || (key & 7) == 4 ? "a group (wire type \(key & 7)), which ONNX never uses" : "wire type \(key & 7)"
            throw error("a field key of wire type 0, 1, 2 or 5", found: kind, at: start)
        }
        let field = key >> 3
        guard field >= 1, field <= 536_870_911 else { throw error("a field number in 1...2^29-1", found: "\(field)", at: start) }
        return (Int(field), type)
    }

    /// A varint as a signed 64-bit integer (int64, int32 and enum fields: two's complement).
    public mutating func integer() throws -> Int { Int(Int64(bitPattern: try varint())) }

    /// Four little-endian bytes.
    public mutating func fixed32() throws -> UInt32 {
        guard remaining >= 4 else { throw error("4 bytes of a fixed32 value", found: "\(remaining) bytes left") }
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(bytes[position + shift]) << UInt32(8 * shift) }
        position += 4
        return value
    }

    /// Eight little-endian bytes.
    public mutating func fixed64() throws -> UInt64 {
        let low = UInt64(try fixed32())
        return low | UInt64(try fixed32()) << 32
    }

    /// An IEEE 754 float (wire type 5).
    public mutating func float() throws -> Float { Float(bitPattern: try fixed32()) }

    /// The byte range of a length-delimited value (length checked against the window), consuming it.
    public mutating func lengthDelimited() throws -> Range<Int> {
        let start = position
        let length = try varint()
        guard length <= UInt64(remaining) else {
            throw error("a length-delimited value within its message", found: "length \(length) with \(remaining) bytes left", at: start)
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// A bytes field's content.
    public mutating func bytesValue() throws -> ArraySlice<UInt8> { bytes[try lengthDelimited()] }

    /// A string field (UTF-8; invalid sequences become U+FFFD).
    public mutating func string() throws -> String { String(decoding: try bytesValue(), as: UTF8.self) }

    /// A nested message: a reader of its window, one level deeper.
    public mutating func message() throws -> ProtobufReader {
        guard depth < Self.maximumDepth else {
            throw error("messages nested at most \(Self.maximumDepth) deep", found: "a deeper one")
        }
        return ProtobufReader(bytes: bytes, range: try lengthDelimited(), depth: depth + 1, source: source)
    }

    /// Skips the value of a field of wire type `type` (an unknown or unneeded field).
    public mutating func skip(_ type: WireType) throws {
        switch type {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32: _ = try fixed32()
        }
    }

    /// Appends a repeated int64 field's value(s) to `values`: one varint (unpacked, wire type 0) or a packed run
    /// (wire type 2). Other wire types throw naming `field`.
    public mutating func appendIntegers(_ type: WireType, to values: inout [Int], field: String) throws {
        switch type {
        case .varint: values.append(try integer())
        case .lengthDelimited:
            var packed = ProtobufReader(bytes: bytes, range: try lengthDelimited(), depth: depth, source: source)
            while !packed.isAtEnd { values.append(try packed.integer()) }
        default: throw error("'\(field)' as varints (wire type 0 or 2)", found: "wire type \(type.rawValue)")
        }
    }

    /// Appends a repeated float field's value(s): one fixed32 or a packed run (its length a multiple of 4).
    public mutating func appendFloats(_ type: WireType, to values: inout [Float], field: String) throws {
        switch type {
        case .fixed32: values.append(try float())
        case .lengthDelimited:
            let start = position
            let range = try lengthDelimited()
            guard range.count % 4 == 0 else { throw error("packed '\(field)' of whole floats", found: "\(range.count) bytes", at: start) }
            values.reserveCapacity(values.count + range.count / 4)  // bounded by the bytes present
            var packed = ProtobufReader(bytes: bytes, range: range, depth: depth, source: source)
            while !packed.isAtEnd { values.append(try packed.float()) }
        default: throw error("'\(field)' as floats (wire type 5 or 2)", found: "wire type \(type.rawValue)")
        }
    }

    /// Throws unless a field has wire type `expected` (`field` names it).
    public func require(_ type: WireType, _ expected: WireType, field: String) throws {
        guard type == expected else { throw error("'\(field)' of wire type \(expected.rawValue)", found: "wire type \(type.rawValue)") }
    }
}
