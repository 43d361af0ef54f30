import XCTest
@testable import PruneKit
import PruneKitTestSupport

final class CLIPruneTests: XCTestCase {
    /// prune -> the checkpoint is physically smaller, and `eval` and `info` read it with no extra flags.
    func testPrunedCheckpointLoadsWithEvalAndInfo() throws {
        let root = try realDataRoot(containing: "mnist")
        let folder = NSTemporaryDirectory() + "cli-prune-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CLIRun.run(["prune", "Models/lenet5-mnist.safetensors", "--method", "l1", "--flops", "0.5", "--data-dir", root,
                                  "--train-limit", "512", "--test-limit", "512", "--finetune-epochs", "1", "--latency-batch-sizes", "none", "--no-shuffle",
                                  "--out", folder, "--json"], environment: ["PRUNEKIT_THREADS": "2"])
        XCTAssertEqual(run.status, 0, run.error)
        let report = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let (before, after) = (report?["flopsBefore"] as? Int ?? 0, report?["flopsAfter"] as? Int ?? 0)
        XCTAssertEqual(before, 4_586_000)
        XCTAssertLessThanOrEqual(Double(after), 0.5 * Double(before), "FLOPs target met")
        let pruned = try ModelCheckpoint.read(path: folder + "/pruned.safetensors")
        XCTAssertEqual(try pruned.model.cost().flops, after, "the checkpoint holds the pruned widths")
        XCTAssertEqual(pruned.metadata["pruning_method"], "l1")
        // The dense source by name and content hash; the options of l1 only; the fine-tuning recipe as train_config.
        let origin = try CheckpointOrigin(jsonText: pruned.metadata["pruned_from"] ?? "", source: "pruned_from")
        XCTAssertEqual(origin, CheckpointOrigin(file: "lenet5-mnist.safetensors", sha256: try SHA256.hexDigest(ofFileAt: "Models/lenet5-mnist.safetensors")))
        let recorded = try JSONSerialization.jsonObject(with: Data((pruned.metadata["pruning"] ?? "").utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(Set(recorded.keys), PruningConfig.sharedKeys.subtracting(["scope", "reduction", "normalization"]).union(["magnitudeCriterion"]))
        XCTAssertNotNil(recorded["target"])
        XCTAssertEqual(pruned.trainConfig?.epochs, 1)
        XCTAssertEqual(pruned.trainConfig?.shuffle, false)
        XCTAssertEqual(pruned.trainConfig?.augmentation, Augmentation.none, "MNIST's standard augmentation, made explicit")
        let info = try CLIRun.run(["info", folder + "/pruned.safetensors", "--json"])
        XCTAssertEqual(info.status, 0, info.error)
        XCTAssertTrue(info.output.contains("\"flops\" : \(after)"), info.output)
        let evaluation = try CLIRun.run(["eval", folder + "/pruned.safetensors", "--data-dir", root, "--test-limit", "256"])
        XCTAssertEqual(evaluation.status, 0, evaluation.error)
        XCTAssertTrue(evaluation.output.contains("top-1"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/report.txt"))
    }

    func testPruneUsageErrors() throws {
        let cases: [([String], String)] = [
            (["prune", "x.safetensors", "--method", "nope", "--flops", "0.5", "--out", "/tmp/x"], "option '--method': expected one of l1"),
            (["prune", "x.safetensors", "--method", "l1", "--out", "/tmp/x"], "exactly one target"),
            (["prune", "x.safetensors", "--method", "l1", "--flops", "1.5", "--out", "/tmp/x"], "'--flops'"),
            (["prune", "x.safetensors", "--method", "l1", "--flops", "0.5", "--slimming-penalty", "1e-4", "--out", "/tmp/x"],
             "'--slimming-penalty' belongs to method 'slimming'"),
            (["prune", "x.safetensors", "--method", "sfp", "--flops", "0.5", "--greg-interval", "5", "--out", "/tmp/x"],
             "'--greg-interval' belongs to method 'greg-1,greg-2'"),
            (["methods", "--detail", "nope"], "option '--detail': expected one of l1"),
            // Library parameters (maximumGroupRatio, schedule) come back under the flag that set them.
            (["prune", "x.safetensors", "--method", "l1", "--flops", "0.5", "--max-ratio", "0", "--out", "/tmp/x"],
             "option '--max-ratio': expected a fraction in (0, 1], found 0"),
            (["prune", "x.safetensors", "--method", "l1", "--flops", "0.5", "--finetune-epochs", "1", "--finetune-schedule", "sawtooth",
              "--out", "/tmp/x"], "option '--finetune-schedule': expected constant, cosine"),
        ]
        for (arguments, fragment) in cases {
            let run = try CLIRun.run(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.error)")
            XCTAssertTrue(run.error.contains(fragment), "\(arguments): '\(run.error)' should mention \(fragment)")
        }
    }

    func testMethodDetailShowsSharedFlagsAndDecisions() throws {
        for method in ["greg-1", "greg-2"] {
            let run = try CLIRun.run(["methods", "--detail", method])
            XCTAssertEqual(run.status, 0, run.error)
            XCTAssertTrue(run.output.contains("--greg-interval"), method)
            XCTAssertTrue(run.output.contains("not found (paper delta"), method)
        }
        let sfp = try CLIRun.run(["methods", "--detail", "sfp"])
        XCTAssertTrue(sfp.output.contains("--sfp-epochs") && sfp.output.contains("--sfp-residual"))
    }

    /// `bench CKPT` times a checkpoint beside its dense architecture; the dense reference model has ratio 1.
    func testBenchCheckpointReportsSpeedupAgainstDense() throws {
        let run = try CLIRun.run(["bench", "Models/lenet5-mnist.safetensors", "--batch-size", "4,1", "--json"])
        XCTAssertEqual(run.status, 0, run.error)
        let result = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        XCTAssertEqual(result?["flopsReduction"] as? Double, 1.0)
        let latency = result?["latency"] as? [[String: Any]]
        XCTAssertEqual(latency?.compactMap { $0["batchSize"] as? Int }, [4, 1])
        XCTAssertTrue(latency?.allSatisfy { ($0["prunedMilliseconds"] as? Double ?? 0) > 0 } ?? false)
        let missing = try CLIRun.run(["bench", "/nonexistent.safetensors"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.error.contains("/nonexistent.safetensors"))
    }
}
