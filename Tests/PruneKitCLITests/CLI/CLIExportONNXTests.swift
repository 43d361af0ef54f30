import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `prune-cli export --format onnx`: the help text, the written file (atomic, the library's bytes), the probe of real
/// test images and the usage errors. onnxruntime's agreement is Scripts/check-onnx.sh's job.
final class CLIExportONNXTests: XCTestCase {
    private let reference = "Models/lenet5-mnist.safetensors"
    private var folder = ""
    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cli-onnx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testExportHelpIsGolden() throws {
        let run = try CLIRun.run(["export", "--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.output, """
            Write a checkpoint's model without optimizer state (for sharing, PyTorch or ONNX).

            usage: prune-cli export CKPT --out PATH [--format safetensors|darb|onnx] [--fold-batch-norm] [--graph JSON] [--probe PATH [--dataset NAME] [--probe-count N]]

            options:
              --out <value>          Destination file (written atomically).
              --format <value>       safetensors (default); darb: the regular-block weights only, packed (RegularBlockFile); onnx: an ONNX model (opset 17).
              --fold-batch-norm      With --format onnx: fold batch norms into the preceding convolutions.
              --graph <value>        Also write the network graph as JSON here (for Scripts/pytorch_graph_model.py).
              --probe <value>        Also write a seeded input batch and PruneKit's logits for it (safetensors) here.
              --dataset <value>      With --probe: probe with test images of this dataset instead of seeded noise.
              --data-dir <value>     With --dataset: data folder (default: $PRUNEKIT_DATA, else ./data).
              --probe-count <value>  With --dataset: how many test images (default 16).
              --help                 Show this help.

            """)
    }

    func testExportWritesTheLibrarysONNXBytes() throws {
        let out = folder + "/lenet5.onnx"
        for fold in [false, true] {
            let run = try CLIRun.run(["export", reference, "--format", "onnx", "--out", out] + (fold ? ["--fold-batch-norm"] : []))
            XCTAssertEqual(run.status, 0, run.error)
            XCTAssertTrue(run.output.contains("ONNX opset 17"), run.output)
            let model = try ModelCheckpoint.read(path: reference).model
            let expected = try model.onnxModel(options: .init(foldBatchNorm: fold)).serialized()
            XCTAssertEqual(try [UInt8](Data(contentsOf: URL(fileURLWithPath: out))), expected)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["lenet5.onnx"], "no temporary file is left")
    }

    func testProbeWithRealTestImages() throws {
        guard let data = ProcessInfo.processInfo.environment["PRUNEKIT_DATA"] else { throw XCTSkip("PRUNEKIT_DATA is not set") }
        let probe = folder + "/probe.safetensors"
        let run = try CLIRun.run(["export", reference, "--format", "onnx", "--out", folder + "/m.onnx", "--probe", probe,
                                  "--dataset", "mnist", "--data-dir", data, "--probe-count", "3"])
        XCTAssertEqual(run.status, 0, run.error)
        guard case let .float32(input)? = try SafeTensors.read(path: probe)["input"] else { return XCTFail("probe lacks input") }
        XCTAssertEqual(input.shape, [3, 1, 28, 28])
    }

    func testUsageErrorsNameTheFlag() throws {
        let cases: [([String], String)] = [
            (["export", reference, "--out", folder + "/x", "--format", "tflite"], "'--format'"),
            (["export", reference, "--out", folder + "/x", "--fold-batch-norm"], "'--fold-batch-norm'"),
            (["export", reference, "--out", folder + "/x", "--format", "onnx", "--dataset", "mnist"], "'--dataset'"),
        ]
        for (arguments, fragment) in cases {
            let run = try CLIRun.run(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.error)")
            XCTAssertTrue(run.error.contains(fragment), "\(arguments): \(run.error)")
        }
    }
}
