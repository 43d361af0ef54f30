import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport
import XCTest

/// Syntactically valid headers that describe an impossible file, plus truncation and corruption sweeps.
final class CheckpointSafeTensorsMalformedEntryTests: XCTestCase {
    private typealias Support = CheckpointTestSupport

    /// A one-tensor file whose entry for "w" is `entry`, with `bufferCount` zero bytes of data.
    private func file(entry: String, bufferCount: Int = 8) -> Data {
        Support.file(header: #"{"w":\#(entry)}"#, buffer: [UInt8](repeating: 0, count: bufferCount))
    }

    func testEntryMissingOrMistypedFields() {
        let cases: [(String, [String])] = [
            (#"{"shape":[2],"data_offsets":[0,8]}"#, [#"a "dtype" field for tensor "w""#]),
            (#"{"dtype":"F32","data_offsets":[0,8]}"#, [#"a "shape" field for tensor "w""#]),
            (#"{"dtype":"F32","shape":[2]}"#, [#"a "data_offsets" field for tensor "w""#]),
            (#"{"dtype":"F32","shape":[2],"offsets":[0,8]}"#, [#""data_offsets" field"#, "keys [\"dtype\", \"shape\", \"offsets\"]"]),
            (#"[0,8]"#, [#"an object with dtype, shape and data_offsets for tensor "w""#, "an array"]),
            (#"{"dtype":32,"shape":[2],"data_offsets":[0,8]}"#, ["a string dtype", "the integer 32"]),
            (#"{"dtype":"F32","shape":"2","data_offsets":[0,8]}"#, ["as the shape of tensor \"w\"", "the string \"2\""]),
            (#"{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}"#, ["in the shape of tensor \"w\"", "the number 2.0"]),
            (#"{"dtype":"F32","shape":[true],"data_offsets":[0,8]}"#, ["in the shape", "the boolean true"]),
            (#"{"dtype":"F32","shape":[null],"data_offsets":[0,8]}"#, ["in the shape", "null"]),
            (#"{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}"#, ["in the shape", "99999999999999999999"]),
            (#"{"dtype":"F32","shape":[2],"data_offsets":{"begin":0}}"#, ["as the data_offsets of tensor \"w\"", "an object"]),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}"#, ["2 data_offsets [begin, end]", "3 values [0, 8, 8]"]),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[8]}"#, ["2 data_offsets", "1 values [8]"]),
            (#"{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, ["unique keys in the entry of tensor \"w\"", "\"dtype\" twice"]),
        ]
        for (entry, mentions) in cases {
            Support.assertMalformed(file(entry: entry), mentions: mentions)
        }
    }

    func testUnsupportedAndUnknownDataTypesAreNamed() {
        for name in ["F16", "BF16", "F64", "I32", "U8", "BOOL", "F8_E4M3"] {
            Support.assertMalformed(file(entry: #"{"dtype":"\#(name)","shape":[2],"data_offsets":[0,8]}"#),
                                    mentions: ["dtype F32 or I64 for tensor \"w\"", "\(name) (a safetensors dtype PruneKit does not support)"])
        }
        for name in ["f32", "FLOAT", ""] {
            Support.assertMalformed(file(entry: #"{"dtype":"\#(name)","shape":[2],"data_offsets":[0,8]}"#),
                                    mentions: ["dtype F32 or I64", "unknown dtype \"\(name)\""])
        }
    }

    func testNegativeExtentsAndOffsets() {
        Support.assertMalformed(file(entry: #"{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}"#),
                                mentions: ["non-negative integers in the shape of tensor \"w\"", "the integer -2"])
        Support.assertMalformed(file(entry: #"{"dtype":"F32","shape":[2,-1,-4],"data_offsets":[0,8]}"#),
                                mentions: ["non-negative", "-1"])
        Support.assertMalformed(file(entry: #"{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}"#),
                                mentions: ["non-negative integers in the data_offsets of tensor \"w\"", "-8"])
    }

    func testOffsetsInconsistentWithBufferOrShape() {
        let cases: [(String, Int, [String])] = [
            (#"{"dtype":"F32","shape":[2],"data_offsets":[8,0]}"#, 8, ["begin <= end", "[8, 0]"]),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[0,12]}"#, 8, ["within the 8-byte data buffer", "[0, 12]"]),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[0,9223372036854775807]}"#, 8, ["within the 8-byte data buffer"]),
            (#"{"dtype":"F32","shape":[3],"data_offsets":[0,8]}"#, 8, ["12 bytes for tensor \"w\" (F32, shape [3])", "8 bytes"]),
            (#"{"dtype":"I64","shape":[2],"data_offsets":[0,8]}"#, 8, ["16 bytes for tensor \"w\" (I64, shape [2])"]),
            (#"{"dtype":"I64","shape":[],"data_offsets":[0,4]}"#, 8, ["8 bytes for tensor \"w\""]),
            (#"{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}"#, 8, ["a byte size that fits in Int"]),
            (#"{"dtype":"F32","shape":[3037000500,3037000500,0],"data_offsets":[0,0]}"#, 0, ["a byte size that fits in Int"]),
        ]
        for (entry, bufferCount, mentions) in cases {
            Support.assertMalformed(file(entry: entry, bufferCount: bufferCount), mentions: mentions)
        }
    }

    func testOverlapsHolesAndUncoveredBytes() {
        let buffer = [UInt8](repeating: 0, count: 16)
        let f32 = #""dtype":"F32","shape":[2]"#
        let cases: [(String, [String])] = [
            (#"{"a":{\#(f32),"data_offsets":[0,8]},"b":{\#(f32),"data_offsets":[4,12]},"c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#,
             ["tensor \"b\" to start at byte 8 or later", "overlapping tensor \"a\""]),
            (#"{"a":{\#(f32),"data_offsets":[0,8]},"b":{\#(f32),"data_offsets":[0,8]}}"#, ["overlapping tensor \"a\""]),
            (#"{"a":{\#(f32),"data_offsets":[8,16]}}"#, ["without holes", "unused bytes [0, 8) before tensor \"a\""]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{\#(f32),"data_offsets":[8,16]}}"#,
             ["unused bytes [4, 8) before tensor \"b\""]),
            (#"{"a":{\#(f32),"data_offsets":[0,8]}}"#, ["the whole 16-byte data buffer", "8 unused bytes after the last tensor"]),
            (#"{}"#, ["the whole 16-byte data buffer", "16 unused bytes"]),
        ]
        for (header, mentions) in cases {
            Support.assertMalformed(Support.file(header: header, buffer: buffer), mentions: mentions)
        }
    }

    func testMetadataMustBeAnObjectOfStrings() {
        let cases: [(String, [String])] = [
            (#"{"__metadata__":{"epoch":3}}"#, ["a string value for __metadata__ key \"epoch\"", "the integer 3"]),
            (#"{"__metadata__":{"a":"x","b":["y"]}}"#, ["key \"b\"", "an array"]),
            (#"{"__metadata__":{"a":{"nested":"x"}}}"#, ["key \"a\"", "an object"]),
            (#"{"__metadata__":{"a":null}}"#, ["key \"a\"", "null"]),
            (#"{"__metadata__":"x"}"#, ["__metadata__ to be an object of strings", "the string \"x\""]),
            (#"{"__metadata__":{"a":"1","a":"2"}}"#, ["unique keys in __metadata__", "\"a\" twice"]),
        ]
        for (header, mentions) in cases {
            Support.assertMalformed(Support.file(header: header), mentions: mentions)
        }
        XCTAssertEqual(try SafeTensors.decode(Support.file(header: #"{"__metadata__":null}"#)).metadata, [:])
    }

    func testDuplicateNamesAreRejected() {
        let entry = #"{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#
        Support.assertMalformed(Support.file(header: #"{"w":\#(entry),"w":\#(entry)}"#, buffer: [0, 0, 0, 0]),
                                mentions: ["unique names in the header", "\"w\" twice"])
        Support.assertMalformed(Support.file(header: #"{"__metadata__":{},"__metadata__":{}}"#),
                                mentions: ["\"__metadata__\" twice"])
    }

    /// Every proper prefix of a valid file must throw (never trap); the full file must decode.
    func testTruncationAtEveryLengthThrows() throws {
        let complete = CheckpointSafeTensorsGoldenTests.pythonFile
        for length in 0..<complete.count {
            Support.assertMalformed(complete.prefix(length), mentions: [])
        }
        XCTAssertEqual(try SafeTensors.decode(complete).names.count, 3)
        Support.assertMalformed(complete + Data([0]), mentions: ["1 unused bytes after the last tensor"])
    }

    /// Every single-byte corruption either decodes or throws a `PruneKitError`; none traps.
    func testSingleByteCorruptionNeverTraps() throws {
        let complete = CheckpointSafeTensorsGoldenTests.pythonFile
        var outcomes = (decoded: 0, rejected: 0)
        for index in complete.indices {
            for replacement: UInt8 in [0x00, 0x20, 0x22, 0x2D, 0x39, 0x5B, 0x7D, 0xFF] where complete[index] != replacement {
                var corrupted = complete
                corrupted[index] = replacement
                do {
                    _ = try SafeTensors.decode(corrupted, path: "corrupted")
                    outcomes.decoded += 1
                } catch let error as PruneKitError {
                    guard case .malformedFile(path: "corrupted", _, _) = error else { return XCTFail("\(error)") }
                    outcomes.rejected += 1
                }
            }
        }
        XCTAssertGreaterThan(outcomes.rejected, 1000)
        XCTAssertGreaterThan(outcomes.decoded, 100)  // data bytes, padding spaces, metadata characters
    }
}
