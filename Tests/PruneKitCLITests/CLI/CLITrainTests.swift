import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `train --epochs 0`, what `--resume` accepts, `--init-from`, and the recorded augmentation and shuffling.
final class CLITrainTests: XCTestCase {
    private var folder = ""
    override func setUpWithError() throws { folder = NSTemporaryDirectory() + "cli-train-\(UUID().uuidString)" }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func json(_ run: CLIRun) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any] ?? [:]
    }

    /// 0 epochs: the initialised model is written as last and best, evaluated for real (no -100% sentinel), and
    /// a resumed run from it equals a straight run.
    func testZeroEpochsWritesAndEvaluatesTheInitialisedModel() throws {
        let root = try realDataRoot(containing: "mnist")
        let common = ["train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", root, "--train-limit", "256",
                      "--test-limit", "256", "--batch-size", "64", "--seed", "3", "--threads", "2"]
        let zero = try CLIRun.run(common + ["--epochs", "0", "--out", folder + "/zero", "--json"])
        XCTAssertEqual(zero.status, 0, zero.error)
        let summary = try json(zero)
        let accuracy = summary["finalTestAccuracy"] as? Double ?? -1
        XCTAssertTrue((0...1).contains(accuracy), "\(summary)")
        XCTAssertNil(summary["bestTestAccuracy"], "no best epoch without epochs")
        XCTAssertNil(summary["bestEpoch"])
        for file in ["last", "best"] {
            let checkpoint = try ModelCheckpoint.read(path: folder + "/zero/\(file).safetensors")
            XCTAssertEqual(checkpoint.trainingState?.completedEpochs, 0)
            let fresh = try ModelZoo.build(name: "lenet5", seed: 3)
            for ((name, a), (_, b)) in zip(fresh.stateDictionary(), checkpoint.model.stateDictionary()) { XCTAssertEqual(a, b, name) }
        }
        let text = try CLIRun.run(common + ["--epochs", "0", "--out", folder + "/zero"])
        XCTAssertTrue(text.output.contains(String(format: "initial model test accuracy %.2f%%", 100 * accuracy)), text.output)
        XCTAssertFalse(text.output.contains("-100"), text.output)
        let evaluation = try CLIRun.run(["eval", folder + "/zero/best.safetensors", "--data-dir", root, "--test-limit", "256", "--json"])
        let evaluated = (try json(evaluation)["result"] as? [String: Any])?["accuracy"] as? Double
        XCTAssertEqual(evaluated ?? -1, accuracy, accuracy: 1e-6, "train reports what eval measures")
        // Resuming the 0-epoch run for one epoch equals a straight one-epoch run.
        let resumed = try CLIRun.run(common + ["--epochs", "1", "--out", folder + "/zero", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertEqual(try CLIRun.run(common + ["--epochs", "1", "--out", folder + "/straight"]).status, 0)
        let a = try ModelCheckpoint.read(path: folder + "/zero/last.safetensors")
        let b = try ModelCheckpoint.read(path: folder + "/straight/last.safetensors")
        XCTAssertEqual(a.trainConfig?.epochs, 1, "--epochs on resume is honoured and recorded")
        for ((name, x), (_, y)) in zip(a.model.stateDictionary(), b.model.stateDictionary()) { XCTAssertEqual(x, y, name) }
    }

    /// On resume, a recipe flag that differs from the checkpoint is a usage error naming it; equal values pass.
    func testResumeRejectsRecipeFlagsThatDifferFromTheCheckpoint() throws {
        let root = try realDataRoot(containing: "mnist")
        let out = folder + "/run"
        let start = ["train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", root, "--test-limit", "64", "--out", out, "--epochs", "0"]
        XCTAssertEqual(try CLIRun.run(start + ["--batch-size", "32"]).status, 0)
        let resume = ["train", "--out", out, "--data-dir", root, "--test-limit", "64", "--resume", "--epochs", "0"]
        let cases: [([String], String)] = [
            (["--lr", "0.2"], "'--lr' cannot change a resumed run"), (["--batch-size", "64"], "'--batch-size'"),
            (["--momentum", "0.5"], "'--momentum'"), (["--weight-decay", "0"], "'--weight-decay'"),
            (["--schedule", "constant"], "'--schedule'"), (["--nesterov"], "'--nesterov'"), (["--seed", "2"], "'--seed'"),
            (["--warmup-epochs", "1"], "'--warmup-epochs'"), (["--label-smoothing", "0.1"], "'--label-smoothing'"),
            (["--augment", "crop-flip"], "'--augment'"), (["--no-shuffle"], "'--no-shuffle'"),
            (["--norm-bias-weight-decay", "0"], "'--norm-bias-weight-decay'"), (["--test-flip", "on"], "'--test-flip'"),
            (["--model", "resnet20"], "'--model'"), (["--dataset", "fashion-mnist"], "'--dataset'"),
            (["--init-from", "Models/lenet5-mnist.safetensors"], "'--init-from'"),
        ]
        for (flags, fragment) in cases {
            let run = try CLIRun.run(resume + flags)
            XCTAssertEqual(run.status, 64, "\(flags): \(run.error)")
            XCTAssertTrue(run.error.contains(fragment), "\(flags): '\(run.error)' should mention \(fragment)")
        }
        // The starting command line repeated with --resume is accepted (requeued jobs).
        let repeated = try CLIRun.run(start + ["--batch-size", "32", "--lr", "0.05", "--augment", "none", "--resume"])
        XCTAssertEqual(repeated.status, 0, repeated.error)
    }

    /// --init-from: the checkpoint's weights and architecture, the flags' recipe, the source recorded by hash.
    func testInitFromStartsANewRunFromACheckpoint() throws {
        let root = try realDataRoot(containing: "mnist")
        let source = "Models/lenet5-mnist.safetensors"
        let run = try CLIRun.run(["train", "--init-from", source, "--data-dir", root, "--test-limit", "256", "--epochs", "0",
                                  "--augment", "crop-flip", "--no-shuffle", "--lr", "0.003", "--out", folder, "--json"])
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertGreaterThan(try json(run)["finalTestAccuracy"] as? Double ?? 0, 0.9, "the trained weights, not a fresh init")
        let written = try ModelCheckpoint.read(path: folder + "/last.safetensors"), original = try ModelCheckpoint.read(path: source)
        for ((name, a), (_, b)) in zip(original.model.stateDictionary(), written.model.stateDictionary()) { XCTAssertEqual(a, b, name) }
        XCTAssertEqual(written.trainConfig?.augmentation, .cifarTraining)
        XCTAssertEqual(written.trainConfig?.shuffle, false)
        XCTAssertEqual(written.trainConfig?.learningRate, 0.003)
        XCTAssertEqual(written.trainingState?.completedEpochs, 0)
        XCTAssertEqual(written.metadata["dataset"], "mnist", "the dataset defaults to the source's")
        let origin = try CheckpointOrigin(jsonText: written.metadata["init_from"] ?? "", source: "init_from")
        XCTAssertEqual(origin, CheckpointOrigin(file: "lenet5-mnist.safetensors", sha256: try SHA256.hexDigest(ofFileAt: source)))
        let mismatch = try CLIRun.run(["train", "--init-from", source, "--model", "resnet20", "--out", folder + "/x"])
        XCTAssertEqual(mismatch.status, 64)
        XCTAssertTrue(mismatch.error.contains("'--model'") && mismatch.error.contains("lenet5"), mismatch.error)
        let shape = try CLIRun.run(["train", "--init-from", source, "--dataset", "cifar10", "--out", folder + "/x"])
        XCTAssertEqual(shape.status, 64)
        XCTAssertTrue(shape.error.contains("'--dataset'"), shape.error)
    }

    /// A batch-norm network starts from `TrainConfig.recommended` for its dataset; each given flag changes one field.
    func testBatchNormNetworkStartsFromTheRecommendedRecipeAndFlagsOverrideIt() throws {
        let data = try realDataRoot(containing: "cifar-10-subset") + "/cifar-10-subset"
        let common = ["train", "--model", "resnet20", "--dataset", "cifar10", "--data-dir", data, "--test-limit", "16", "--epochs", "0"]
        XCTAssertEqual(try CLIRun.run(common + ["--out", folder + "/default"]).status, 0)
        var expected = TrainConfig.recommended(batchNormalized: true, dataset: .cifar10).resolvingAugmentation(for: .cifar10)
        expected.epochs = 0
        XCTAssertEqual(try ModelCheckpoint.read(path: folder + "/default/last.safetensors").trainConfig, expected)
        let run = try CLIRun.run(common + ["--out", folder + "/flags", "--test-flip", "off", "--lr", "0.2", "--norm-bias-weight-decay", "1e-4",
                                           "--label-smoothing", "0"])
        XCTAssertEqual(run.status, 0, run.error)
        (expected.testTimeFlip, expected.learningRate, expected.vectorWeightDecay, expected.labelSmoothing) = (false, 0.2, 1e-4, 0)
        XCTAssertEqual(try ModelCheckpoint.read(path: folder + "/flags/last.safetensors").trainConfig, expected)
        let bad = try CLIRun.run(common + ["--out", folder + "/bad", "--test-flip", "yes"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.error.contains("'--test-flip'") && bad.error.contains("yes"), bad.error)
    }
}
