import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `prune-cli import`: the help text, an ONNX export imported back into a checkpoint with the same logits that `eval`,
/// `prune` and `export` accept, a plain PyTorch state_dict loaded into a zoo architecture,
/// and a state_dict whose every mismatch is listed in one error.
final class CLIImportTests: XCTestCase {
    private let reference = "Models/lenet5-mnist.safetensors"
    private var folder = ""
    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cli-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testImportHelpIsGolden() throws {
        let run = try CLIRun.run(["import", "--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.output, """
            Bring a network from ONNX or a PyTorch state_dict into a PruneKit checkpoint.

            usage: prune-cli import FILE.onnx --out CKPT
                   prune-cli import STATE_DICT.safetensors (--model NAME | --model-spec FILE) (--dataset NAME | --input-shape C,H,W --classes K) --out CKPT

            options:
              --out <value>          Destination checkpoint (safetensors, written atomically).
              --model <value>        With a state_dict: the zoo architecture it belongs to (see 'prune-cli models').
              --model-spec <value>   With a state_dict: the architecture as a JSON spec or graph file.
              --dataset <value>      With a state_dict: fixes the input shape and classes (mnist, fashion-mnist, cifar10, cifar100).
              --input-shape <value>  With a state_dict: the input shape C,H,W (instead of --dataset).
              --classes <value>      With a state_dict: the class count (with --input-shape).
              --help                 Show this help.

            """)
    }

    func testONNXImportRoundTripsLeNet5Logits() throws {
        let onnx = folder + "/lenet5.onnx", imported = folder + "/imported.safetensors"
        XCTAssertEqual(try CLIRun.run(["export", reference, "--format", "onnx", "--fold-batch-norm", "--out", onnx]).status, 0)
        let run = try CLIRun.run(["import", onnx, "--out", imported])
        XCTAssertEqual(run.status, 0, run.error)
        let original = try ModelCheckpoint.read(path: reference).model
        XCTAssertTrue(run.output.contains("input [1, 28, 28], 10 classes, \(original.parameterCount) parameters, "
                                          + "\(try original.cost().flops) FLOPs per image"), run.output)
        let model = try ModelCheckpoint.read(path: imported).model
        let images = NetworkFixtures.images(for: original.spec, count: 4, seed: 9)
        let difference = NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false),
                                                            try NetworkFixtures.logits(original, images, training: false))
        XCTAssertLessThanOrEqual(difference, 1e-5)
        XCTAssertEqual(try CLIRun.run(["export", imported, "--format", "onnx", "--out", folder + "/again.onnx"]).status, 0,
                       "an imported checkpoint exports again")
    }

    func testImportedResNet20EvaluatesAsTheOriginalAndPrunes() throws {
        guard let data = ProcessInfo.processInfo.environment["PRUNEKIT_DATA"] else { throw XCTSkip("PRUNEKIT_DATA is not set") }
        let source = "Models/resnet20-cifar10-jpeg.safetensors", onnx = folder + "/r20.onnx", imported = folder + "/r20.safetensors"
        XCTAssertEqual(try CLIRun.run(["export", source, "--format", "onnx", "--fold-batch-norm", "--out", onnx]).status, 0)
        XCTAssertEqual(try CLIRun.run(["import", onnx, "--out", imported]).status, 0)
        let evaluation = { (path: String) throws -> String in
            let run = try CLIRun.run(["eval", path, "--dataset", "cifar10", "--data-dir", data, "--test-limit", "200"])
            XCTAssertEqual(run.status, 0, run.error)
            return run.output.split(separator: "\n").first { $0.contains("top-1") }.map { String($0.split(separator: ":", maxSplits: 1)[1]) } ?? "none"
        }
        XCTAssertEqual(try evaluation(imported), try evaluation(source), "same top-1 and loss on 200 test images")
        let prune = try CLIRun.run(["prune", imported, "--method", "l1", "--flops", "0.5", "--dataset", "cifar10", "--data-dir", data,
                                    "--train-limit", "64", "--test-limit", "32", "--latency-batch-sizes", "none", "--finetune-epochs", "0",
                                    "--out", folder + "/pruned"])
        XCTAssertEqual(prune.status, 0, prune.error)
        XCTAssertTrue(prune.output.contains("FLOPs 81.1M -> "), prune.output)
    }

    func testStateDictionaryImportIntoAZooModel() throws {
        // A plain state_dict: the reference's tensors without PruneKit metadata, as safetensors.torch.save_file writes.
        let plain = folder + "/state_dict.safetensors", imported = folder + "/imported.safetensors"
        let original = try ModelCheckpoint.read(path: reference).model
        try SafeTensors.write(original.stateDictionary().map { name, value in
            switch value {
            case let .tensor(tensor): return (name, .float32(tensor))
            case let .count(count): return (name, .int64Scalar(Int64(count)))
            }
        }, to: plain)
        let run = try CLIRun.run(["import", plain, "--model", "lenet5", "--dataset", "mnist", "--out", imported])
        XCTAssertEqual(run.status, 0, run.error)
        let model = try ModelCheckpoint.read(path: imported).model
        XCTAssertEqual(model.stateDictionary().map(\.name), original.stateDictionary().map(\.name))
        let images = NetworkFixtures.images(for: original.spec, count: 2, seed: 3)
        XCTAssertEqual(try NetworkFixtures.logits(model, images, training: false).scalars,
                       try NetworkFixtures.logits(original, images, training: false).scalars)
    }

    func testDataParallelPrefixAndMissingBatchCountersAsOldPyTorchWritesThem() throws {
        // ResNet-20 from a spec file: every key prefixed "module." (nn.DataParallel), no num_batches_tracked (PyTorch < 0.4.1).
        let plain = folder + "/r20.safetensors", imported = folder + "/imported.safetensors"
        let original = try ModelCheckpoint.read(path: "Models/resnet20-cifar10-jpeg.safetensors").model
        try SafeTensors.write(original.stateDictionary().compactMap { name, value in
            guard case let .tensor(tensor) = value else { return nil }
            return ("module." + name, .float32(tensor))
        }, to: plain)
        let run = try CLIRun.run(["import", plain, "--model-spec", "Models/resnet20.json", "--dataset", "cifar10", "--out", imported])
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.output.contains("3, 32, 32], 10 classes, \(original.parameterCount) parameters"), run.output)
        let model = try ModelCheckpoint.read(path: imported).model
        let images = NetworkFixtures.images(for: original.spec, count: 2, seed: 5)
        XCTAssertEqual(try NetworkFixtures.logits(model, images, training: false).scalars,
                       try NetworkFixtures.logits(original, images, training: false).scalars)
    }

    func testStateDictionaryMismatchesAreAllReported() throws {
        let plain = folder + "/bad.safetensors"
        var entries = try ModelCheckpoint.read(path: reference).model.stateDictionary().compactMap { name, value -> (String, SafeTensorsValue)? in
            guard case let .tensor(tensor) = value, name != "conv1.bias" else { return nil }
            return (name, .float32(name == "fc2.weight" ? Tensor(zeros: [5, 500]) : tensor))
        }
        entries.append(("extra.weight", .float32(Tensor(zeros: [2]))))
        try SafeTensors.write(entries, to: plain)
        let run = try CLIRun.run(["import", plain, "--model", "lenet5", "--input-shape", "1,28,28", "--classes", "10", "--out", folder + "/x.safetensors"])
        XCTAssertEqual(run.status, 1)
        for fragment in ["3 mismatches", "'conv1.bias': missing (expected float32 of shape [20])",
                         "'fc2.weight': expected F32 of shape [10, 500], found F32 of shape [5, 500]",
                         "'extra.weight': unexpected (shape [2])"] {
            XCTAssertTrue(run.error.contains(fragment), "\(fragment) not in \(run.error)")
        }
    }

    func testUsageErrors() throws {
        let onnxWithModel = try CLIRun.run(["import", "a.onnx", "--model", "lenet5", "--out", "x"])
        XCTAssertEqual(onnxWithModel.status, 64)
        XCTAssertTrue(onnxWithModel.error.contains("an ONNX file states its architecture"), onnxWithModel.error)
        let noShape = try CLIRun.run(["import", "a.safetensors", "--model", "lenet5", "--out", "x"])
        XCTAssertEqual(noShape.status, 64)
        XCTAssertTrue(noShape.error.contains("'--dataset NAME' or '--input-shape C,H,W --classes K'"), noShape.error)
    }
}
