import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// A network defined in JSON (`Examples/graphs/small-residual.json`) through the CLI: `train --model-spec`, resume,
/// `info --model-spec`, `prune`, `eval` and `bench` of the pruned checkpoint; and the errors `--model-spec` gives.
final class CLIGraphModelTests: XCTestCase {
    private let example = "Examples/graphs/small-residual.json"
    private var folder = ""
    override func setUpWithError() throws { folder = NSTemporaryDirectory() + "cli-graph-\(UUID().uuidString)" }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func json(_ run: CLIRun) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any] ?? [:]
    }

    /// The lossless CIFAR-10 prefix (4,000 + 1,000 images): quick to read, and the folder names the variant.
    private func cifarFolder() throws -> String { try realDataRoot(containing: "cifar-10-subset") + "/cifar-10-subset" }

    func testJSONNetworkTrainsResumesPrunesAndEvaluates() throws {
        let data = try cifarFolder()
        let limits = ["--dataset", "cifar10", "--data-dir", data, "--train-limit", "256", "--test-limit", "128", "--threads", "2"]
        let train = ["train", "--model-spec", example, "--batch-size", "64", "--out", folder + "/run"] + limits
        let trained = try CLIRun.run(train + ["--epochs", "1", "--json"])
        XCTAssertEqual(trained.status, 0, trained.error)
        XCTAssertEqual(try json(trained)["model"] as? String, "small-residual", "a bare graph is named after its file")
        let dense = try ModelCheckpoint.read(path: folder + "/run/last.safetensors")
        let file = try ModelSpec(contentsOfFile: example)
        XCTAssertEqual(dense.model.spec.family, .graph)
        XCTAssertEqual(dense.model.spec.graph, file.graph, "the checkpoint stores the spec with its graph")
        XCTAssertEqual(dense.trainConfig?.learningRate, 0.1, "the example has batch norm: the batch-norm default rate")
        // The starting command line, repeated with --resume and more epochs, continues the run.
        let resumed = try CLIRun.run(train + ["--epochs", "2", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertEqual(try ModelCheckpoint.read(path: folder + "/run/last.safetensors").trainingState?.completedEpochs, 2)

        let pruning = try CLIRun.run(["prune", folder + "/run/last.safetensors", "--method", "l1", "--flops", "0.7", "--latency-batch-sizes", "none",
                                      "--out", folder + "/pruned", "--json"] + limits)
        XCTAssertEqual(pruning.status, 0, pruning.error)
        let report = try json(pruning)
        let (before, after) = (report["flopsBefore"] as? Int ?? 0, report["flopsAfter"] as? Int ?? 0)
        XCTAssertEqual(before, try ModelCost(spec: file).flops)
        XCTAssertLessThanOrEqual(Double(after), 0.7 * Double(before), "FLOPs target met")
        XCTAssertGreaterThan(after, 0)
        let pruned = try ModelCheckpoint.read(path: folder + "/pruned/pruned.safetensors")
        XCTAssertEqual(try pruned.model.cost().flops, after, "the checkpoint holds the pruned widths")
        let widths = Dictionary(uniqueKeysWithValues: file.widthTable.map { ($0.name, $0.width) })
        let narrowed = pruned.model.spec.widthTable
        XCTAssertEqual(narrowed.map(\.name), file.widthTable.map(\.name))
        XCTAssertTrue(narrowed.allSatisfy { $0.width <= widths[$0.name]! }, "\(narrowed)")
        XCTAssertLessThan(narrowed.map(\.width).reduce(0, +), file.widthTable.map(\.width).reduce(0, +), "some width narrowed")
        XCTAssertEqual(pruned.model.spec.graph?.nodes.map(\.name), file.graph?.nodes.map(\.name), "same graph, narrower layers")

        let evaluation = try CLIRun.run(["eval", folder + "/pruned/pruned.safetensors", "--data-dir", data, "--test-limit", "128", "--json"])
        XCTAssertEqual(evaluation.status, 0, evaluation.error)
        let accuracy = (try json(evaluation)["result"] as? [String: Any])?["accuracy"] as? Double ?? -1
        XCTAssertTrue((0...1).contains(accuracy), evaluation.output)
        // bench compares with the dense graph that prune recorded.
        let bench = try CLIRun.run(["bench", folder + "/pruned/pruned.safetensors", "--batch-size", "2", "--min-time", "0.05", "--json"])
        XCTAssertEqual(bench.status, 0, bench.error)
        XCTAssertEqual(try json(bench)["flopsReduction"] as? Double ?? 0, Double(before) / Double(after), accuracy: 1e-9)
    }

    func testInfoShowsTheCostTableAndChannelGroupsOfAJSONNetwork() throws {
        let text = try CLIRun.run(["info", "--model-spec", example])
        XCTAssertEqual(text.status, 0, text.error)
        XCTAssertTrue(text.output.contains("small-residual on [3, 32, 32]: 19,994 parameters"), text.output)
        XCTAssertTrue(text.output.contains("4 channel groups"), text.output)
        let streamLine = text.output.split(separator: "\n").last { $0.hasPrefix("stem ") }  // the first is the cost table's
        XCTAssertEqual(streamLine.map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3).joined(separator: " ") },
                       "stem residualStream 16", text.output)
        let info = try json(try CLIRun.run(["info", "--model-spec", example, "--json"]))
        let groups = info["groups"] as? [[String: Any]] ?? []
        XCTAssertEqual(groups.compactMap { $0["name"] as? String }, ["block1.conv1", "block2.conv1", "stem", "block2.conv2"])
        XCTAssertEqual(groups.first?["readers"] as? [String], ["block1.conv2"])
        XCTAssertEqual(info["flops"] as? Int, try ModelCost(spec: ModelSpec(contentsOfFile: example)).flops)
    }

    /// A graph without batch norm trains at the no-batch-norm default rate (0.01), as the MLP and LeNets do.
    func testGraphWithoutBatchNormGetsTheRecipeWithoutBatchNorm() throws {
        let data = try cifarFolder()
        let path = try write("plain.json", """
            {"nodes": [{"name": "input", "op": "input", "shape": [3, 32, 32]},
                       {"name": "conv", "op": "conv", "inputs": ["input"], "out": 4, "kernel": 3, "stride": 2, "padding": 1},
                       {"name": "relu", "op": "relu", "inputs": ["conv"]},
                       {"name": "pool", "op": "global_avg_pool", "inputs": ["relu"]},
                       {"name": "fc", "op": "linear", "inputs": ["pool"], "out": 10}]}
            """)
        let run = try CLIRun.run(["train", "--model-spec", path, "--dataset", "cifar10", "--data-dir", data, "--test-limit", "32", "--epochs", "0",
                                  "--out", folder + "/plain"])
        XCTAssertEqual(run.status, 0, run.error)
        let config = try XCTUnwrap(try ModelCheckpoint.read(path: folder + "/plain/last.safetensors").trainConfig)
        var expected = TrainConfig.recommended(batchNormalized: false, dataset: .cifar10).resolvingAugmentation(for: .cifar10)
        expected.epochs = 0
        XCTAssertEqual(config, expected, "no batch_norm node: lr 0.05, one-cycle, batch 64")
    }

    /// Usage errors (exit 64) naming the flag, the file, and what was expected and found. None reads data.
    func testModelSpecErrors() throws {
        let source = try String(contentsOfFile: example, encoding: .utf8)
        let badOp = try write("bad-op.json", source.replacingOccurrences(of: "\"op\": \"relu\"", with: "\"op\": \"relu6\""))
        let unknownInput = try write("unknown-input.json", source.replacingOccurrences(of: "\"inputs\": [\"pool\"]", with: "\"inputs\": [\"poll\"]"))
        let missing = try write("missing.json", source.replacingOccurrences(of: ", \"out\": 10}", with: "}"))
        let sevenClasses = try write("seven.json", source.replacingOccurrences(of: "\"out\": 10}", with: "\"out\": 7}"))
        let out = ["--out", folder + "/run"]
        let cases: [([String], [String])] = [
            (["--model", "resnet20", "--model-spec", example, "--dataset", "cifar10"], ["'--model' and '--model-spec'"]),
            (["--model-spec", badOp, "--dataset", "cifar10"], ["'--model-spec'", badOp, "stem_relu", "'relu6'", "one of add"]),
            (["--model-spec", unknownInput, "--dataset", "cifar10"], ["'--model-spec'", unknownInput, "node 'fc' reads 'poll'"]),
            (["--model-spec", missing, "--dataset", "cifar10"], ["'--model-spec'", missing, "node 'fc' (linear)", "attribute 'out'"]),
            (["--model-spec", folder + "/absent.json", "--dataset", "cifar10"], ["'--model-spec'", folder + "/absent.json"]),
            (["--model-spec", example, "--dataset", "mnist"], ["'--model-spec'", example, "expected [1, 28, 28] images in 10 classes",
                                                               "found inputShape [3, 32, 32]"]),
            (["--model-spec", sevenClasses, "--dataset", "cifar10"], ["'--model-spec'", sevenClasses, "in 10 classes", "and 7 classes"]),
        ]
        for (flags, fragments) in cases {
            let run = try CLIRun.run(["train"] + flags + out)
            XCTAssertEqual(run.status, 64, "\(flags): \(run.error)")
            for fragment in fragments { XCTAssertTrue(run.error.contains(fragment), "\(flags): '\(run.error)' should mention \(fragment)") }
        }
        let info = try CLIRun.run(["info", "--model-spec", badOp])
        XCTAssertEqual(info.status, 64)
        XCTAssertTrue(info.error.contains(badOp) && info.error.contains("'relu6'"), info.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/run"), "no run folder for a rejected command")
    }

    private func write(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
