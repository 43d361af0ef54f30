import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport
import XCTest

/// Encode → decode and write → read keep every bit, every name in order, and the metadata.
final class CheckpointSafeTensorsRoundTripTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws { directory = try CheckpointTestSupport.makeScratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// Quiet, signalling and negative NaNs with payloads, ±inf, ±0, subnormals and extremes.
    static let specialBits: [UInt32] = [
        0x7FC0_0000, 0x7FA0_0001, 0xFFC1_2345, 0x7F80_0000, 0xFF80_0000, 0x0000_0000, 0x8000_0000,
        0x0000_0001, 0x807F_FFFF, 0x7F7F_FFFF, 0x0080_0000, 0x3F80_0000, 0xBEAA_AAAB,
    ]

    func testRoundTripIsBitExactForSpecialFloats() throws {
        let tensor = try Tensor(shape: [13], scalars: Self.specialBits.map(Float.init(bitPattern:)))
        let decoded = try SafeTensors.decode(SafeTensors.encode([("special", .float32(tensor))]))
        XCTAssertEqual(CheckpointTestSupport.float32Bits(decoded["special"]), Self.specialBits)
        XCTAssertEqual(decoded["special"]?.shape, [13])
    }

    func testRoundTripKeepsEmptyScalarAndInt64Entries() throws {
        let entries: [(name: String, value: SafeTensorsValue)] = [
            ("empty", .float32(Tensor(zeros: [0]))),
            ("empty.inner", .float32(Tensor(zeros: [2, 0, 3]))),
            ("scalar", .float32(try Tensor(shape: [], scalars: [-0.0]))),
            ("steps", .int64Scalar(Int64.max)),
            ("extremes", .int64(shape: [2, 2], values: [.min, -1, 0, .max])),
            ("no.ints", .int64(shape: [0, 5], values: [])),
        ]
        let decoded = try SafeTensors.decode(SafeTensors.encode(entries))
        XCTAssertEqual(decoded.names, entries.map(\.name))
        XCTAssertEqual(decoded["empty"]?.shape, [0])
        XCTAssertEqual(decoded["empty"]?.elementCount, 0)
        XCTAssertEqual(decoded["empty.inner"]?.shape, [2, 0, 3])
        XCTAssertEqual(decoded["scalar"]?.shape, [])
        XCTAssertEqual(CheckpointTestSupport.float32Bits(decoded["scalar"]), [0x8000_0000])
        XCTAssertEqual(try decoded.int64Scalar(named: "steps"), Int64.max)
        XCTAssertEqual(try decoded.int64(named: "extremes").shape, [2, 2])
        XCTAssertEqual(try decoded.int64(named: "extremes").values, [.min, -1, 0, .max])
        XCTAssertEqual(decoded["no.ints"]?.shape, [0, 5])
        XCTAssertEqual(decoded["no.ints"]?.dataType, .int64)
        for (name, value) in entries { XCTAssertEqual(decoded[name], value, name) }
    }

    /// PyTorch state_dict order is kept, even where it is not alphabetical.
    func testRoundTripKeepsInsertionOrderAndPacksDataWithoutGaps() throws {
        let names = ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.num_batches_tracked", "fc.weight"]
        let entries: [(name: String, value: SafeTensorsValue)] = names.enumerated().map { index, name in
            name.hasSuffix("tracked") ? (name, .int64Scalar(Int64(index)))
                : (name, .float32(Tensor(repeating: Float(index), shape: [index + 1])))
        }
        let data = try SafeTensors.encode(entries)
        let decoded = try SafeTensors.decode(data)
        XCTAssertEqual(decoded.names, names)
        XCTAssertEqual(decoded["bn1.bias"]?.float32Tensor, Tensor(repeating: 2, shape: [3]))
        let headerLength = Int(data.prefix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) })
        let bufferLength = data.count - 8 - headerLength
        XCTAssertEqual(bufferLength, entries.reduce(0) { $0 + $1.value.byteCount })
        XCTAssertEqual(bufferLength, 4 * (1 + 2 + 3 + 4 + 6) + 8)
    }

    func testMetadataWithUnicodeQuotesAndControlCharactersRoundTrips() throws {
        let metadata = [
            "architecture": "resnet56",
            "quote\"key\\": "va\\l\"ue/ with \n newline \t tab \u{01} \u{1F} \u{7F} π 🙂 e\u{301}",
            "": "",
            "json": #"{"widths":[16,32,64],"epoch":3}"#,
        ]
        let decoded = try SafeTensors.decode(SafeTensors.encode([("x", .float32(Tensor(zeros: [1])))], metadata: metadata))
        XCTAssertEqual(decoded.metadata, metadata)
        XCTAssertEqual(decoded.names, ["x"])
    }

    func testHeaderIsSpacePaddedToAMultipleOfEight() throws {
        for nameLength in 1...9 {
            let name = String(repeating: "n", count: nameLength)
            let data = try SafeTensors.encode([(name, .float32(Tensor(repeating: 1, shape: [1])))])
            let headerLength = Int(data[data.startIndex])
            XCTAssertEqual(headerLength % 8, 0, "name length \(nameLength)")
            let header = data.dropFirst(8).prefix(headerLength)
            let json = #"{"\#(name)":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
            XCTAssertEqual(String(decoding: header, as: UTF8.self).trimmingCharacters(in: .init(charactersIn: " ")), json)
            XCTAssertEqual(header.count - json.utf8.count, (8 - json.utf8.count % 8) % 8)
            XCTAssertEqual(Array(data.suffix(4)), [0x00, 0x00, 0x80, 0x3F])
        }
    }

    func testWriteThenReadFile() throws {
        let path = directory + "/model.safetensors"
        let weight = try Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .nan, 0, 1e-30])
        try SafeTensors.write([("w", .float32(weight)), ("n", .int64Scalar(42))], metadata: ["epoch": "12"], to: path)
        let file = try SafeTensors.read(path: path)
        XCTAssertEqual(file.path, path)
        XCTAssertEqual(file.names, ["w", "n"])
        XCTAssertEqual(file.metadata, ["epoch": "12"])
        XCTAssertEqual(CheckpointTestSupport.float32Bits(file["w"]), weight.scalars.map(\.bitPattern))
        XCTAssertEqual(try file.int64Scalar(named: "n"), 42)
        XCTAssertEqual(try CheckpointTestSupport.contents(of: directory), ["model.safetensors"])
    }

    func testReadFailuresNamePathAndReason() throws {
        let cases = [(directory + "/absent.safetensors", "cannot open: No such file or directory"),
                     (directory, "not a regular file")]
        for (path, reason) in cases {
            XCTAssertThrowsError(try SafeTensors.read(path: path)) { error in
                guard case let .fileError(errorPath, message)? = error as? PruneKitError else {
                    return XCTFail("expected fileError, got \(error)")
                }
                XCTAssertEqual(errorPath, path)
                XCTAssertTrue(message.contains(reason), message)
            }
        }
        let empty = directory + "/empty.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertThrowsError(try SafeTensors.read(path: empty)) { error in
            XCTAssertEqual(error as? PruneKitError, .malformedFile(path: empty, expected: "at least 8 bytes (the header length)",
                                                                   found: "0 bytes"))
        }
    }

    func testEncodeRejectsReservedDuplicateAndInconsistentEntries() {
        let one = SafeTensorsValue.float32(Tensor(zeros: [1]))
        let cases: [(entries: [(name: String, value: SafeTensorsValue)], mention: String)] = [
            ([("__metadata__", one)], "reserved"),
            ([("a", one), ("b", one), ("a", one)], "\"a\" given twice"),
            ([("ints", .int64(shape: [2, 2], values: [1, 2, 3]))], "shape [2, 2] but 3 values"),
            ([("ints", .int64(shape: [-1], values: []))], "shape [-1]"),
            ([("ints", .int64(shape: [Int.max, 4], values: []))], "\"ints\""),
        ]
        for (entries, mention) in cases {
            XCTAssertThrowsError(try SafeTensors.encode(entries), mention) { error in
                guard case let .invalidArgument(operation, message)? = error as? PruneKitError else {
                    return XCTFail("expected invalidArgument, got \(error)")
                }
                XCTAssertEqual(operation, "SafeTensors.encode")
                XCTAssertTrue(message.contains(mention), "\(message) does not mention \(mention)")
            }
        }
    }

    func testTypedAccessorsThrowMalformedFileNamingPathAndTensor() throws {
        let data = try SafeTensors.encode([("w", .float32(Tensor(zeros: [2]))), ("ints", .int64(shape: [2], values: [1, 2]))])
        let file = try SafeTensors.decode(data, path: "ckpt.safetensors")
        let attempts: [(String, () throws -> Void)] = [
            ("a tensor named \"missing\"", { _ = try file.tensor(named: "missing") }),
            ("dtype F32 for tensor \"ints\"", { _ = try file.tensor(named: "ints") }),
            ("dtype I64 for tensor \"w\"", { _ = try file.int64(named: "w") }),
            ("one I64 element in tensor \"ints\"", { _ = try file.int64Scalar(named: "ints") }),
        ]
        for (mention, attempt) in attempts {
            XCTAssertThrowsError(try attempt()) { error in
                guard case let .malformedFile(path, expected, _)? = error as? PruneKitError else {
                    return XCTFail("expected malformedFile, got \(error)")
                }
                XCTAssertEqual(path, "ckpt.safetensors")
                XCTAssertTrue(expected.contains(mention), "\(expected) does not mention \(mention)")
            }
        }
        XCTAssertNil(file["missing"])
        XCTAssertEqual(file["ints"]?.int64Values, [1, 2])
        XCTAssertNil(file["ints"]?.float32Tensor)
    }
}
