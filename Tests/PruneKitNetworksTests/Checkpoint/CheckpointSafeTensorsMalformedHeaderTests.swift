import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport
import XCTest

/// Defects in the length prefix and the JSON syntax: each throws `malformedFile` naming the file.
final class CheckpointSafeTensorsMalformedHeaderTests: XCTestCase {
    private typealias Support = CheckpointTestSupport

    func testFileShorterThanEightBytes() {
        for count in 0..<8 {
            Support.assertMalformed(Data(repeating: 0, count: count), mentions: ["at least 8 bytes", "\(count) bytes"])
        }
    }

    func testHeaderLengthBeyondEndOfFile() {
        Support.assertMalformed(Support.file(headerLength: 9, rest: Array("{}      ".utf8)),
                                mentions: ["at most 8 bytes (file size - 8)", "found 9"])
    }

    func testAbsurdHeaderLengths() {
        let rest = Array("{}".utf8)
        for length: UInt64 in [100_000_001, 1 << 40, UInt64(Int.max), UInt64(Int.max) + 1, .max] {
            Support.assertMalformed(Support.file(headerLength: length, rest: rest),
                                    mentions: ["at most 100000000 bytes", "\(length)"])
        }
    }

    func testHeaderThatIsNotUTF8() {
        let bytes: [UInt8] = Array(#"{"__metadata__":{"k":""#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8)
        Support.assertMalformed(Support.file(headerLength: UInt64(bytes.count), rest: bytes),
                                mentions: ["UTF-8", "header byte 21"])
        let outsideString: [UInt8] = [0x7B, 0xFF, 0x7D]
        Support.assertMalformed(Support.file(headerLength: 3, rest: outsideString), mentions: ["JSON header", "0xff"])
    }

    func testHeaderThatIsNotJSON() {
        let cases: [(String, String)] = [
            ("", "end of header"),
            ("        ", "a JSON value"),
            ("{", "a string key"),
            (#"{"a""#, "':' after object key"),
            (#"{"a":{"dtype":"F32",}}"#, "a string key"),
            (#"{"a" 1}"#, "':' after object key"),
            (#"{'a':1}"#, "a string key"),
            (#"{"a":[1,2}"#, "',' or ']' in array"),
            (#"{"a":01}"#, "',' or '}' in object"),
            (#"{"a":1.}"#, "a digit after '.'"),
            (#"{"a":1e}"#, "a digit in the exponent"),
            (#"{"a":-}"#, "a digit"),
            (#"{"a":tru}"#, "the literal true"),
            (#"{"a":"\x"}"#, #"one of \""#),
            (#"{"a":"\u12G4"}"#, "4 hexadecimal digits"),
            (#"{"a":"\ud800"}"#, "lone UTF-16 surrogate"),
            (#"{"a":"\ud800\u0041"}"#, "a low UTF-16 surrogate"),
            ("{\"a\":\"tab\there\"}", "no raw control character"),
            (#"{"a":"unterminated}"#, "closing '\"'"),
            ("{} {}", "end of header after the JSON value"),
            ("{}\0", "end of header after the JSON value"),
            ("NaN", "a JSON value"),
        ]
        for (header, mention) in cases {
            Support.assertMalformed(Support.file(header: header), mentions: ["JSON header", mention])
        }
    }

    func testHeaderThatIsNotAnObject() {
        let cases: [(String, String)] = [
            ("[]", "an array"), (#""text""#, "the string \"text\""), ("42", "the integer 42"),
            ("4.5e1", "the number 4.5e1"), ("true", "the boolean true"), ("null", "null"),
        ]
        for (header, found) in cases {
            Support.assertMalformed(Support.file(header: header), mentions: ["a JSON object as the header", found])
        }
    }

    /// A million `[` must hit the depth limit, not overflow the stack.
    func testDeepNestingIsRejectedWithoutCrashing() {
        let header = #"{"a":"# + String(repeating: "[", count: 1_000_000)
        Support.assertMalformed(Support.file(header: header), mentions: ["nesting at most 64 levels deep"])
        let shallow = #"{"__metadata__":{},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4],"extra":"# +
            String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "}}"
        XCTAssertNoThrow(try SafeTensors.decode(Support.file(header: shallow, buffer: [0, 0, 0, 0])))
    }

    /// Whitespace anywhere JSON allows it, escapes and `/` are all valid.
    func testLiberalButValidJSONIsAccepted() throws {
        let header = "\n\t{ \"__metadata__\" : { \"k\\/\\u00e9\\ud83d\\ude00\" : \"\\\"\\n\" } ,\r\n"
            + " \"t\" : { \"shape\" : [ 1 ] , \"dtype\" : \"F32\" , \"data_offsets\" : [ 0 , 4 ] } }  "
        let file = try SafeTensors.decode(Support.file(header: header, buffer: [0, 0, 0x80, 0x3F]))
        XCTAssertEqual(file.metadata, ["k/é😀": "\"\n"])
        XCTAssertEqual(file["t"]?.float32Tensor?.scalars, [1])
    }
}
