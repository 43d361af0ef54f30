import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `prune --method bpcp` end to end on the reference ResNet-20 and a CIFAR-10 subset: blocks go, channels go, and the
/// checkpoint loads, evaluates and shows its blocks in `info`.
final class CLIBlockPruningTests: XCTestCase {
    private let reference = "Models/resnet20-cifar10-jpeg.safetensors"

    func testBlockChannelPruningRemovesBlocksAndTheCheckpointEvaluatesAndShowsThem() throws {
        let data = try realDataRoot(containing: "cifar-10-subset") + "/cifar-10-subset"
        let folder = NSTemporaryDirectory() + "cli-bpcp-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let listed = try CLIRun.run(["methods"])
        XCTAssertTrue(listed.output.split(separator: "\n").contains { $0.hasPrefix("bpcp ") && $0.contains("BPCP (Huang & Wang, JIFS 2020)") }, listed.output)
        let detail = try CLIRun.run(["methods", "--detail", "bpcp"])
        XCTAssertTrue(detail.output.contains("--bpcp-search-epochs") && detail.output.contains("indices are not renumbered"), detail.output)
        // gamma 2 outweighs the loss gradient on 2 x 2 batches, so the decision removes blocks.
        let run = try CLIRun.run(["prune", reference, "--method", "bpcp", "--ratio", "0.2", "--bpcp-search-epochs", "2", "--bpcp-gate-penalty", "2",
                                  "--bpcp-block-finetune-epochs", "1", "--finetune-epochs", "1", "--finetune-lr", "0.01", "--batch-size", "64",
                                  "--data-dir", data, "--dataset", "cifar10", "--train-limit", "128", "--test-limit", "128",
                                  "--latency-batch-sizes", "none", "--threads", "2", "--out", folder, "--json"])
        XCTAssertEqual(run.status, 0, run.error)
        let report = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any] ?? [:]
        let results = report["results"] as? [String: Any] ?? [:]
        let removed = results["bpcp_removed_blocks"] as? Int ?? -1
        XCTAssertEqual(results["bpcp_blocks"] as? Int, 9)
        XCTAssertGreaterThan(removed, 0, run.error)
        XCTAssertTrue(run.error.contains("bpcp block search: 2 epochs"), run.error)
        XCTAssertTrue(run.error.contains("keep-probability"), run.error)

        let pruned = try ModelCheckpoint.read(path: folder + "/pruned.safetensors")
        XCTAssertEqual(pruned.model.spec.family, .graph)
        XCTAssertEqual(pruned.model.graph.residualJoins.count, 9 - removed)
        XCTAssertEqual(pruned.model.parameterCount, report["parametersAfter"] as? Int)
        XCTAssertEqual(pruned.metadata["pruning_method"], "bpcp")
        let info = try CLIRun.run(["info", folder + "/pruned.safetensors"])
        XCTAssertEqual(info.status, 0, info.error)
        XCTAssertTrue(info.output.contains("residual blocks: \(9 - removed) of 9 (removed layer"), info.output)
        let infoJSON = try CLIRun.run(["info", folder + "/pruned.safetensors", "--json"])
        let blocks = (try JSONSerialization.jsonObject(with: Data(infoJSON.output.utf8)) as? [String: Any])?["residualBlocks"] as? [String: Any]
        XCTAssertEqual((blocks?["removed"] as? [String])?.count, removed)
        let evaluation = try CLIRun.run(["eval", folder + "/pruned.safetensors", "--data-dir", data, "--test-limit", "128", "--json"])
        XCTAssertEqual(evaluation.status, 0, evaluation.error)
        let accuracy = ((try JSONSerialization.jsonObject(with: Data(evaluation.output.utf8)) as? [String: Any])?["result"] as? [String: Any])?["accuracy"] as? Double
        XCTAssertEqual(accuracy.map { (0...1).contains($0) }, true, evaluation.output)
    }
}
