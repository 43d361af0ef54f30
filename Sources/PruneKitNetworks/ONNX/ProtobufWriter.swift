/// Appends protocol-buffer wire encoding to a byte array: the subset ONNX files need (varint, 32-bit and
/// length-delimited fields; proto2 `optional` and `repeated`, repeated numbers unpacked as proto2 declares them).
///
/// Encoding (https://protobuf.dev/programming-guides/encoding/): every field is a key varint
/// `field << 3 | wireType`, then its value: wire type 0 a varint (7 bits per byte, least significant first, high bit
/// set on every byte but the last; negative int64 as its two's complement, 10 bytes), wire type 5 four little-endian
/// bytes, wire type 2 a varint length then that many bytes (strings, bytes, nested messages).
///
/// ```swift
/// var writer = ProtobufWriter()
/// writer.integer(1, 8)              // [0x08, 0x08]: field 1, varint 8
/// writer.string(2, "PruneKit")      // [0x12, 0x08, "P", "r", ...]
/// writer.message(7) { $0.integer(1, 150) }   // [0x3a, 0x03, 0x08, 0x96, 0x01]
/// ```
public struct ProtobufWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    /// Wire types used here.
    private enum WireType: UInt64 {
        case varint = 0, lengthDelimited = 2, fixed32 = 5
    }

    /// A bare varint (no key): 7 bits per byte, least significant group first.
    public mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    /// An int64/int32/enum field (wire type 0); negative values take ten bytes, as protobuf's int64 does.
    public mutating func integer(_ field: Int, _ value: Int) {
        key(field, .varint)
        varint(UInt64(bitPattern: Int64(value)))
    }

    /// A float field (wire type 5, IEEE 754 little-endian).
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    /// A string field (UTF-8, length-delimited).
    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// A bytes field (length-delimited).
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes += value
    }

    /// A repeated int64 field, one key per element: onnx.proto (proto2) does not declare `dims` or `ints` packed, and
    /// this is how onnx's own serialiser writes them.
    public mutating func integers(_ field: Int, _ values: [Int]) {
        for value in values { integer(field, value) }
    }

    /// A nested message field: `body` writes the message's own fields, which are then length-prefixed.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }

    /// Four bytes of `value`, least significant first.
    public mutating func appendLittleEndian(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
