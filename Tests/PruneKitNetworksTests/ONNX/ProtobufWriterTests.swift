import XCTest
@testable import PruneKitNetworks

/// Golden bytes of the protobuf wire encoding, worked out by hand from the encoding rules
/// (https://protobuf.dev/programming-guides/encoding/) and onnx.proto's field numbers.
final class ProtobufWriterTests: XCTestCase {
    func testVarintsAreSevenBitGroupsLeastSignificantFirst() {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x00]), (1, [0x01]), (127, [0x7f]),
            (128, [0x80, 0x01]),                 // 128 = 1 << 7: low group 0 with the continuation bit, then 1
            (300, [0xac, 0x02]),                 // 300 = 0b10_0101100: 0x2c | 0x80, then 0b10
            (UInt64(1) << 32, [0x80, 0x80, 0x80, 0x80, 0x10]),
        ]
        for (value, bytes) in cases {
            var writer = ProtobufWriter()
            writer.varint(value)
            XCTAssertEqual(writer.bytes, bytes, "\(value)")
        }
    }

    func testFieldKeysAndWireTypes() {
        var writer = ProtobufWriter()
        writer.integer(1, 8)            // key 1 << 3 | 0 = 0x08, value 8: ModelProto.ir_version 8
        writer.integer(20, 7)           // key 20 << 3 = 160 = [0xa0, 0x01]: AttributeProto.type INTS
        writer.integer(3, -1)           // int64 -1: two's complement, ten bytes
        writer.float(2, 1)              // key 2 << 3 | 5 = 0x15, 1.0f = 0x3f800000 little-endian
        writer.string(4, "Conv")        // key 4 << 3 | 2 = 0x22, length 4, UTF-8
        writer.integers(8, [3, 3])      // repeated int64, unpacked: one key per element
        writer.message(7) { $0.integer(1, 150) }   // nested: key 0x3a, length 3, then 0x08 0x96 0x01
        XCTAssertEqual(writer.bytes, [0x08, 0x08,
                                      0xa0, 0x01, 0x07,
                                      0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                                      0x15, 0x00, 0x00, 0x80, 0x3f,
                                      0x22, 0x04, 0x43, 0x6f, 0x6e, 0x76,
                                      0x40, 0x03, 0x40, 0x03,
                                      0x3a, 0x03, 0x08, 0x96, 0x01])
    }

    func testAttributeTensorAndValueInfoEncodings() {
        var attribute = ProtobufWriter()
        ONNXAttribute("group", .integer(1)).encode(into: &attribute)
        // name (1) "group"; i (3) = 1; type (20) = INT (2).
        XCTAssertEqual(attribute.bytes, [0x0a, 0x05] + Array("group".utf8) + [0x18, 0x01, 0xa0, 0x01, 0x02])

        var tensor = ProtobufWriter()
        ONNXTensor(name: "p", dimensions: [2], integers: [1, -1]).encode(into: &tensor)
        // dims (1) = 2; data_type (2) = INT64 (7); name (8) "p"; raw_data (9): 16 little-endian bytes.
        XCTAssertEqual(tensor.bytes, [0x08, 0x02, 0x10, 0x07, 0x42, 0x01, 0x70, 0x4a, 0x10,
                                      0x01, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])

        var value = ProtobufWriter()
        ONNXValueInfo(name: "x", dimensions: [.symbolic("b"), .fixed(3)]).encode(into: &value)
        // name (1) "x"; type (2) { tensor_type (1) { elem_type (1) FLOAT; shape (2) { dim (1) { dim_param (2) "b" },
        // dim (1) { dim_value (1) 3 } } } }.
        XCTAssertEqual(value.bytes, [0x0a, 0x01, 0x78, 0x12, 0x0f, 0x0a, 0x0d, 0x08, 0x01, 0x12, 0x09,
                                     0x0a, 0x03, 0x12, 0x01, 0x62, 0x0a, 0x02, 0x08, 0x03])
    }
}
