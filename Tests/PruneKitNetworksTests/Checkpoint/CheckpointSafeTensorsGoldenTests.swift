import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport
import XCTest

/// Byte-exact agreement with files produced in Python, by hand and by the reference `safetensors` package.
final class CheckpointSafeTensorsGoldenTests: XCTestCase {
    /// Generated with python 3.11, safetensors 0.8.0, numpy 2.4.6:
    ///
    /// ```python
    /// import json, struct
    /// import numpy as np
    /// from safetensors.numpy import save
    /// # By hand: compact JSON (serde style), header space-padded to a multiple of 8, data in header order.
    /// tensors = [
    ///     ("bn.num_batches_tracked", "I64", [], struct.pack("<q", 7)),
    ///     ("bn.running_mean", "F32", [2], struct.pack("<2f", 0.5, -1.25)),
    ///     ("conv.weight", "F32", [1, 1, 1, 2], struct.pack("<2I", 0x80000000, 0x7F800000)),  # -0.0, +inf
    /// ]
    /// header, offset = {"__metadata__": {"note": "π \"q\"!"}}, 0
    /// for name, dtype, shape, data in tensors:
    ///     header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
    ///     offset += len(data)
    /// text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    /// text += b" " * ((8 - len(text) % 8) % 8)
    /// by_hand = struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)
    /// # The reference writer orders by dtype (I64 before F32) then name: the same order here.
    /// reference = save({"conv.weight": np.array([[[[-0.0, np.inf]]]], dtype=np.float32),
    ///                   "bn.running_mean": np.array([0.5, -1.25], dtype=np.float32),
    ///                   "bn.num_batches_tracked": np.array(7, dtype=np.int64)},
    ///                  metadata={"note": "π \"q\"!"})
    /// assert reference == by_hand
    /// print(by_hand.hex())
    /// ```
    static let pythonFile = CheckpointTestSupport.bytes(hex: """
        00010000000000007b225f5f6d657461646174615f5f223a7b226e6f7465223a22cf80205c22715c2221227d2c22626e2e
        6e756d5f626174636865735f747261636b6564223a7b226474797065223a22493634222c227368617065223a5b5d2c2264
        6174615f6f666673657473223a5b302c385d7d2c22626e2e72756e6e696e675f6d65616e223a7b226474797065223a2246
        3332222c227368617065223a5b325d2c22646174615f6f666673657473223a5b382c31365d7d2c22636f6e762e77656967
        6874223a7b226474797065223a22463332222c227368617065223a5b312c312c312c325d2c22646174615f6f6666736574
        73223a5b31362c32345d7d7d2020202020202007000000000000000000003f0000a0bf000000800000807f
        """)

    /// The entries of `pythonFile`, in its order.
    static func pythonEntries() throws -> [(name: String, value: SafeTensorsValue)] {
        let weight = try Tensor(shape: [1, 1, 1, 2], scalars: [Float(bitPattern: 0x8000_0000), .infinity])
        return [
            ("bn.num_batches_tracked", .int64Scalar(7)),
            ("bn.running_mean", .float32(try Tensor(shape: [2], scalars: [0.5, -1.25]))),
            ("conv.weight", .float32(weight)),
        ]
    }

    func testWriterMatchesPythonBytes() throws {
        let encoded = try SafeTensors.encode(Self.pythonEntries(), metadata: ["note": "π \"q\"!"])
        XCTAssertEqual(encoded.count, 288)
        XCTAssertEqual(encoded, Self.pythonFile)
    }

    func testReaderReadsPythonBytes() throws {
        let file = try SafeTensors.decode(Self.pythonFile, path: "python.safetensors")
        XCTAssertEqual(file.names, ["bn.num_batches_tracked", "bn.running_mean", "conv.weight"])
        XCTAssertEqual(file.metadata, ["note": "π \"q\"!"])
        XCTAssertEqual(try file.int64Scalar(named: "bn.num_batches_tracked"), 7)
        XCTAssertEqual(try file.int64(named: "bn.num_batches_tracked").shape, [])
        XCTAssertEqual(try file.tensor(named: "bn.running_mean"), try Tensor(shape: [2], scalars: [0.5, -1.25]))
        let weight = try file.tensor(named: "conv.weight")
        XCTAssertEqual(weight.shape, [1, 1, 1, 2])
        XCTAssertEqual(weight.scalars.map(\.bitPattern), [0x8000_0000, 0x7F80_0000])
    }

    /// The reference writer sorts by name, without metadata:
    ///
    /// ```python
    /// save({"z.weight": np.array([3.0], dtype=np.float32),
    ///       "a.bias": np.array([[-2.0]], dtype=np.float32)}).hex()
    /// ```
    func testReaderReadsReferenceWriterOutputWithoutMetadata() throws {
        let bytes = CheckpointTestSupport.bytes(hex: """
            80000000000000007b22612e62696173223a7b226474797065223a22463332222c227368617065223a5b312c315d2c2264
            6174615f6f666673657473223a5b302c345d7d2c227a2e776569676874223a7b226474797065223a22463332222c227368
            617065223a5b315d2c22646174615f6f666673657473223a5b342c385d7d7d20202020202020000000c000004040
            """)
        let file = try SafeTensors.decode(bytes)
        XCTAssertEqual(file.names, ["a.bias", "z.weight"])
        XCTAssertEqual(file.metadata, [:])
        XCTAssertEqual(try file.tensor(named: "a.bias"), try Tensor(shape: [1, 1], scalars: [-2]))
        XCTAssertEqual(try file.tensor(named: "z.weight"), try Tensor(shape: [1], scalars: [3]))
        // Our writer keeps the given order, so the same entries in the same order give the same bytes.
        let entries: [(name: String, value: SafeTensorsValue)] = file.entries
        XCTAssertEqual(try SafeTensors.encode(entries), bytes)
    }

    /// The reference's own unit test (`test_empty`): no tensors, with and without metadata.
    func testEmptyFilesMatchReferenceBytes() throws {
        XCTAssertEqual(Array(try SafeTensors.encode([])), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        let withMetadata = Array(try SafeTensors.encode([], metadata: ["framework": "pt"]))
        XCTAssertEqual(withMetadata, [40, 0, 0, 0, 0, 0, 0, 0] + Array(#"{"__metadata__":{"framework":"pt"}}     "#.utf8))
        XCTAssertEqual(try SafeTensors.decode(Data(withMetadata)).metadata, ["framework": "pt"])
        XCTAssertTrue(try SafeTensors.decode(Data(withMetadata)).entries.isEmpty)
    }

    /// Entries come back in data-offset order even when the header lists them otherwise (older writers
    /// and hand-made files do).
    func testEntriesFollowDataOffsetsNotHeaderOrder() throws {
        let header = #"{"second":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"#
            + #""first":{"dtype":"I64","shape":[],"data_offsets":[0,0]},"#
            + #""first.real":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let buffer = CheckpointTestSupport.littleEndianBytes(float32Bits: [0x3F80_0000, 0x4000_0000])
        // "first" claims 0 bytes for a 1-element I64: must be rejected; fix it to an empty I64 [0].
        CheckpointTestSupport.assertMalformed(CheckpointTestSupport.file(header: header, buffer: buffer),
                                              mentions: ["8 bytes for tensor \"first\"", "[0, 0]"])
        let fixed = header.replacingOccurrences(of: #""shape":[],"data_offsets":[0,0]"#,
                                                with: #""shape":[0],"data_offsets":[0,0]"#)
        let file = try SafeTensors.decode(CheckpointTestSupport.file(header: fixed, buffer: buffer))
        XCTAssertEqual(file.names, ["first", "first.real", "second"])
        XCTAssertEqual(file["first"]?.int64Values, [])
        XCTAssertEqual(CheckpointTestSupport.float32Bits(file["second"]), [0x4000_0000])
    }
}
