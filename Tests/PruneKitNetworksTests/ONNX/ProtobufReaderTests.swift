import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// `ProtobufReader`: golden bytes (the same hand-worked encodings `ProtobufWriterTests` checks) read back, packed and
/// unpacked repeated numbers, and every kind of malformed input throwing with its byte offset.
final class ProtobufReaderTests: XCTestCase {
    func testReadsTheWritersGoldenMessage() throws {
        // ir_version 8; INTS type; int64 -1 (ten bytes); float 1.0; "Conv"; ints [3, 3] unpacked; nested { 1: 150 }.
        let bytes: [UInt8] = [0x08, 0x08,
                              0xa0, 0x01, 0x07,
                              0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                              0x15, 0x00, 0x00, 0x80, 0x3f,
                              0x22, 0x04, 0x43, 0x6f, 0x6e, 0x76,
                              0x40, 0x03, 0x40, 0x03,
                              0x3a, 0x03, 0x08, 0x96, 0x01]
        var reader = ProtobufReader(bytes, source: "golden")
        XCTAssertTrue(try reader.key() == (1, .varint)); XCTAssertEqual(try reader.integer(), 8)
        XCTAssertTrue(try reader.key() == (20, .varint)); XCTAssertEqual(try reader.integer(), 7)
        XCTAssertTrue(try reader.key() == (3, .varint)); XCTAssertEqual(try reader.integer(), -1)
        XCTAssertTrue(try reader.key() == (2, .fixed32)); XCTAssertEqual(try reader.float(), 1)
        XCTAssertTrue(try reader.key() == (4, .lengthDelimited)); XCTAssertEqual(try reader.string(), "Conv")
        var integers: [Int] = []
        for _ in 0..<2 {
            let (field, type) = try reader.key()
            XCTAssertEqual(field, 8)
            try reader.appendIntegers(type, to: &integers, field: "ints")
        }
        XCTAssertEqual(integers, [3, 3])
        XCTAssertTrue(try reader.key() == (7, .lengthDelimited))
        var nested = try reader.message()
        XCTAssertEqual(nested.depth, 1)
        XCTAssertTrue(try nested.key() == (1, .varint)); XCTAssertEqual(try nested.varint(), 150)
        XCTAssertTrue(nested.isAtEnd && reader.isAtEnd)
    }

    func testPackedRepeatedNumbersAndFixed64() throws {
        // field 7 packed int64 [1, 300, -2]: 1 + 2 + 10 bytes; field 4 packed floats [1, -2]; field 1 fixed64.
        var reader = ProtobufReader([0x3a, 0x0d, 0x01, 0xac, 0x02] + [0xfe] + [UInt8](repeating: 0xff, count: 8) + [0x01]
                                    + [0x22, 0x08, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]
                                    + [0x09, 1, 2, 3, 4, 5, 6, 7, 8], source: "packed")
        var integers: [Int] = [], floats: [Float] = []
        try reader.appendIntegers(try reader.key().wireType, to: &integers, field: "int64_data")
        try reader.appendFloats(try reader.key().wireType, to: &floats, field: "float_data")
        XCTAssertEqual(integers, [1, 300, -2])
        XCTAssertEqual(floats, [1, -2])
        XCTAssertTrue(try reader.key() == (1, .fixed64))
        XCTAssertEqual(try reader.fixed64(), 0x0807_0605_0403_0201)
    }

    func testMalformedInputThrowsWithTheByteOffset() {
        let cases: [([UInt8], (inout ProtobufReader) throws -> Void, [String])] = [
            ([0x08, 0x96], { reader in _ = try reader.key(); _ = try reader.varint() }, ["a varint", "end of the message after 1 bytes at byte 1"]),
            ([0x08] + [UInt8](repeating: 0xff, count: 10) + [0x01], { reader in _ = try reader.key(); _ = try reader.varint() },
             ["a varint of at most 64 bits", "10th byte 0xff at byte 1"]),
            ([0x0b], { reader in _ = try reader.key() }, ["wire type 0, 1, 2 or 5", "a group (wire type 3)", "at byte 0"]),
            ([0x0e], { reader in _ = try reader.key() }, ["wire type 6 at byte 0"]),
            ([0x00], { reader in _ = try reader.key() }, ["a field number in 1...2^29-1", "found 0 at byte 0"]),
            ([0x12, 0x05, 0x41], { reader in _ = try reader.key(); _ = try reader.string() },
             ["a length-delimited value within its message", "length 5 with 1 bytes left at byte 1"]),
            ([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f], { reader in _ = try reader.key(); _ = try reader.bytesValue() },
             ["length 4294967295 with 0 bytes left at byte 1"]),
            ([0x15, 0x00, 0x00], { reader in _ = try reader.key(); _ = try reader.float() }, ["4 bytes of a fixed32 value", "2 bytes left at byte 1"]),
            ([0x22, 0x03, 0, 0, 0], { reader in
                var floats: [Float] = []
                try reader.appendFloats(try reader.key().wireType, to: &floats, field: "float_data")
            }, ["packed 'float_data' of whole floats", "3 bytes at byte 1"]),
        ]
        for (bytes, body, fragments) in cases {
            var reader = ProtobufReader(bytes, source: "bad.onnx")
            assertThrowsPruneKitError(["bad.onnx: malformed file"] + fragments) { try body(&reader) }
        }
    }

    func testNestingDeeperThanTheLimitThrows() {
        // Thirteen nested messages, each field 1 wrapping the next: one past maximumDepth (12). The 13th key is byte 24,
        // so the refused length is at byte 25.
        var bytes: [UInt8] = []
        for _ in 0..<13 { bytes = [0x0a, UInt8(bytes.count)] + bytes }
        var reader = ProtobufReader(bytes, source: "deep")
        assertThrowsPruneKitError(["messages nested at most 12 deep", "at byte 25"]) {
            for _ in 0..<13 {
                _ = try reader.key()
                reader = try reader.message()
            }
        }
    }
}
