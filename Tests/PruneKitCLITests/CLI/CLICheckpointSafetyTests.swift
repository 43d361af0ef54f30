import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// Checkpoints with NaN or infinite weights: read-only commands warn naming the tensors, commands that would
/// build on them exit 1 naming the file and the tensors; and flags a command would not honour are usage errors.
final class CLICheckpointSafetyTests: XCTestCase {
    private var folder = ""
    private var poisoned: String { folder + "/poisoned.safetensors" }
    private let expectedTensor = "conv1.weight (2 of 500 values)"

    /// The shipped LeNet-5 with two conv1 weights set to NaN and +inf, written with a resumable state.
    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cli-safety-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/run", withIntermediateDirectories: true)
        var checkpoint = try ModelCheckpoint.read(path: "Models/lenet5-mnist.safetensors")
        let weight = checkpoint.model.parameters.first { $0.name == "conv1.weight" }!
        (weight.value[flat: 3], weight.value[flat: 4]) = (.nan, .infinity)
        try checkpoint.write(to: poisoned)
        (checkpoint.trainConfig, checkpoint.trainingState) = (TrainConfig(), TrainingState(seed: 1))
        try checkpoint.write(to: folder + "/run/last.safetensors")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testReadOnlyCommandsWarnNamingTheTensors() throws {
        let commands: [[String]] = [
            ["info", poisoned], ["export", poisoned, "--out", folder + "/exported.safetensors"],
            ["bench", poisoned, "--batch-size", "1", "--min-time", "0"],
        ]
        for arguments in commands {
            let run = try CLIRun.run(arguments)
            XCTAssertEqual(run.status, 0, "\(arguments): \(run.error)")
            XCTAssertTrue(run.error.contains("warning: \(poisoned): NaN or infinite values in 1 tensor: \(expectedTensor)"),
                          "\(arguments): \(run.error)")
        }
    }

    func testEvalWarnsNamingTheTensors() throws {
        let root = try realDataRoot(containing: "mnist")
        let run = try CLIRun.run(["eval", poisoned, "--data-dir", root, "--test-limit", "64"])
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.error.contains("warning: \(poisoned)") && run.error.contains(expectedTensor), run.error)
    }

    func testPruneAndTrainRefuseNamingTheFileAndTensors() throws {
        let cases: [([String], String)] = [
            (["prune", poisoned, "--method", "l1", "--flops", "0.5", "--out", folder + "/pruned"], poisoned),
            (["train", "--init-from", poisoned, "--out", folder + "/initialised", "--epochs", "0"], poisoned),
            (["train", "--out", folder + "/run", "--resume", "--epochs", "1"], folder + "/run/last.safetensors"),
        ]
        for (arguments, path) in cases {
            let run = try CLIRun.run(arguments)
            XCTAssertEqual(run.status, 1, "\(arguments): \(run.error)")
            XCTAssertTrue(run.error.contains(path) && run.error.contains("expected finite weights") && run.error.contains(expectedTensor),
                          "\(arguments): \(run.error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/initialised/last.safetensors"))
    }

    /// A flag the chosen path would ignore is a usage error naming it.
    func testFlagsThatWouldBeIgnoredAreUsageErrors() throws {
        let cases: [([String], String)] = [
            (["eval", poisoned, "--train-limit", "5"], "'--train-limit'"),
            (["bench", poisoned, "--steps", "3"], "'--steps'"),
            (["bench", poisoned, "--width-scale", "0.5"], "'--width-scale'"),
            (["bench", "infer", "--model", "lenet5", "--width-scale", "0.5", "--versus-dense", "--steps", "3"], "'--steps'"),
            (["prune", poisoned, "--method", "l1", "--flops", "0.5", "--finetune-lr", "0.1", "--out", folder + "/x"], "'--finetune-lr'"),
            (["prune", poisoned, "--method", "l1", "--flops", "0.5", "--augment", "mixup", "--out", folder + "/x"], "'--augment'"),
            (["train", "--out", folder + "/x", "--dataset", "mnist"], "'--model'"),
            (["prune", poisoned, "--method", "magnitude", "--ratio", "0.5", "--steps", "3", "--out", folder + "/x"], "'--steps' is not used by method 'magnitude'"),
            (["prune", poisoned, "--method", "l1", "--flops", "0.5", "--uniform", "--max-ratio", "0.5", "--out", folder + "/x"], "'--max-ratio'"),
        ]
        for (arguments, fragment) in cases {
            let run = try CLIRun.run(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.error)")
            XCTAssertTrue(run.error.contains(fragment), "\(arguments): '\(run.error)' should mention \(fragment)")
        }
    }
}
