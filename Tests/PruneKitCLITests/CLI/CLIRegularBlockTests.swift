import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `prune --method darb|bmwm`, `export --format darb` and `bench` on a block-pruned LeNet-5 with a tiny MNIST subset:
/// the report's storage keys, the records in the checkpoint, the packed file decoding to the checkpoint's weights, the
/// format timings, and the usage errors.
final class CLIRegularBlockTests: XCTestCase {
    func testDensityAdaptivePruneExportAndBench() throws {
        let root = try realDataRoot(containing: "mnist")
        let folder = NSTemporaryDirectory() + "cli-darb-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CLIRun.run(["prune", "Models/lenet5-mnist.safetensors", "--method", "darb", "--compression", "16", "--finetune-epochs", "1",
                                  "--data-dir", root, "--dataset", "mnist", "--train-limit", "256", "--test-limit", "128",
                                  "--latency-batch-sizes", "none", "--no-shuffle", "--json", "--out", folder])
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.error.contains("total: kept"), run.error)
        let report = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let results = try XCTUnwrap(report?["results"] as? [String: Double])
        XCTAssertGreaterThanOrEqual(results["realised_compression"] ?? 0, 16)
        XCTAssertLessThan(results["regular_block_bytes"] ?? .infinity, results["csr_bytes"] ?? 0)
        XCTAssertNotNil(results["conv2.regular_block_bytes"])

        let checkpoint = try ModelCheckpoint.read(path: folder + "/pruned.safetensors")
        let recorded = try RegularBlockLayers.recorded(in: checkpoint.model)
        XCTAssertEqual(recorded.map(\.layer.name).first, "conv2", "the first conv stays dense")
        let packed = folder + "/lenet.darb"
        let export = try CLIRun.run(["export", folder + "/pruned.safetensors", "--format", "darb", "--out", packed])
        XCTAssertEqual(export.status, 0, export.error)
        let file = try RegularBlockFile.read(from: packed)
        XCTAssertEqual(file.layers.map(\.name), recorded.map(\.layer.weight.name))
        for (layer, (recordedLayer, sizes)) in zip(file.layers, recorded) {
            XCTAssertEqual(layer.matrix.decoded(), recordedLayer.weight.value.scalars)
            XCTAssertEqual(layer.matrix.blockSizes, sizes)
            XCTAssertEqual(layer.shape, recordedLayer.weight.shape)
        }

        let bench = try CLIRun.run(["bench", folder + "/pruned.safetensors", "--batch-size", "1", "--min-time", "0.2", "--json"])
        XCTAssertEqual(bench.status, 0, bench.error)
        let timings = (try JSONSerialization.jsonObject(with: Data(bench.output.utf8)) as? [String: Any])?["regularBlock"] as? [[String: Any]]
        XCTAssertEqual(timings?.count, recorded.count)
        XCTAssertEqual((timings?.first?["multiply"] as? [[String: Any]])?.compactMap { $0["batch"] as? Int }, [1, 128])
    }

    func testUsageAndInputErrors() throws {
        let folder = NSTemporaryDirectory() + "cli-darb-errors-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let both = try CLIRun.run(["prune", "Models/lenet5-mnist.safetensors", "--method", "darb", "--compression", "16", "--ratio", "0.9", "--out", folder])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.error.contains("'--compression'"), both.error)
        let blockSizeOnDarb = try CLIRun.run(["prune", "Models/lenet5-mnist.safetensors", "--method", "darb", "--block-size", "4", "--out", folder])
        XCTAssertEqual(blockSizeOnDarb.status, 64)
        XCTAssertTrue(blockSizeOnDarb.error.contains("bmwm"), blockSizeOnDarb.error)
        let format = try CLIRun.run(["export", "Models/lenet5-mnist.safetensors", "--format", "zip", "--out", folder + "/x"])
        XCTAssertEqual(format.status, 64)
        XCTAssertTrue(format.error.contains("'--format'"), format.error)
        let dense = try CLIRun.run(["export", "Models/lenet5-mnist.safetensors", "--format", "darb", "--out", folder + "/x.darb"])
        XCTAssertEqual(dense.status, 1)
        XCTAssertTrue(dense.error.contains("no regular-block records"), dense.error)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("PKRB\u{2}\0\0\0".utf8).write(to: URL(fileURLWithPath: folder + "/bad.darb"))
        assertThrowsPruneKitError([folder + "/bad.darb", "version"]) { _ = try RegularBlockFile.read(from: folder + "/bad.darb") }
    }
}
