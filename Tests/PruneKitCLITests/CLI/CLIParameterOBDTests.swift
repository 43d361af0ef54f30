import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `prune --method kron-obd` end to end on a CIFAR-10 subset: a physically narrower ResNet-20 within the FLOPs target
/// that saves, loads and evaluates; `methods --detail` shows the settings.
final class CLIParameterOBDTests: XCTestCase {
    func testKroneckerOBDPrunesSavesLoadsAndEvaluates() throws {
        let root = try realDataRoot(containing: "cifar-10-jpeg")
        let folder = NSTemporaryDirectory() + "cli-kron-obd-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CLIRun.run(["prune", "Models/resnet20-cifar10-jpeg.safetensors", "--method", "kron-obd", "--flops", "0.5",
                                  "--dataset", "cifar10", "--data-dir", root, "--train-limit", "256", "--test-limit", "64",
                                  "--finetune-epochs", "0", "--latency-batch-sizes", "none", "--no-shuffle", "--json", "--out", folder],
                                 environment: ["PRUNEKIT_THREADS": "2"])
        XCTAssertEqual(run.status, 0, run.error)
        let report = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let (before, after) = (report?["flopsBefore"] as? Int ?? 0, report?["flopsAfter"] as? Int ?? .max)
        XCTAssertLessThanOrEqual(Double(after), 0.5 * Double(before))
        let dense = try ModelCheckpoint.read(path: "Models/resnet20-cifar10-jpeg.safetensors").model
        let pruned = try ModelCheckpoint.read(path: folder + "/pruned.safetensors").model
        XCTAssertEqual(try pruned.cost().flops, after)
        XCTAssertLessThan(pruned.parameterCount, dense.parameterCount)
        XCTAssertEqual(Set(pruned.stateDictionaryKeys), Set(dense.stateDictionaryKeys), "channels removed, no layer added")
        let evaluation = try CLIRun.run(["eval", folder + "/pruned.safetensors", "--data-dir", root, "--test-limit", "64"])
        XCTAssertEqual(evaluation.status, 0, evaluation.error)
        XCTAssertTrue(evaluation.output.contains("top-1"))
        let detail = try CLIRun.run(["methods", "--detail", "kron-obd"])
        XCTAssertEqual(detail.status, 0, detail.error)
        for text in ["--kron-obd-code-compat", "--obd-batches", "--obd-ratio-limit", "Decision: Kron-OBD defaults to the paper's damage"] {
            XCTAssertTrue(detail.output.contains(text), text)
        }
        let diagonal = try CLIRun.run(["methods", "--detail", "c-obd"])
        XCTAssertTrue(diagonal.output.contains("--obd-fisher"), diagonal.output)
        XCTAssertFalse(diagonal.output.contains("  --kron-obd-code-compat  "), "the code form is Kron-OBD's only flag")
    }
}
