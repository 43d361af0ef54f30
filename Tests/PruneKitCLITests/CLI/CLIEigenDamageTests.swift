import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `prune --method eigendamage` end to end on a tiny CIFAR-10 subset: the factorised checkpoint saves, `eval` and
/// `info` read it, and `prune --method l1` prunes it again.
final class CLIEigenDamageTests: XCTestCase {
    func testEigenDamagePruneEvalInfoAndL1Again() throws {
        let root = try realDataRoot(containing: "cifar-10-jpeg")
        let folder = NSTemporaryDirectory() + "cli-eigendamage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let common = ["--data-dir", root, "--dataset", "cifar10", "--train-limit", "128", "--test-limit", "128", "--latency-batch-sizes", "none",
                      "--no-shuffle", "--json"]
        let run = try CLIRun.run(["prune", "Models/resnet20-cifar10-jpeg.safetensors", "--method", "eigendamage", "--flops", "0.5",
                                  "--eigendamage-batches", "1", "--out", folder] + common, environment: ["PRUNEKIT_THREADS": "2"])
        XCTAssertEqual(run.status, 0, run.error)
        let report = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let (before, after) = (report?["flopsBefore"] as? Int ?? 0, report?["flopsAfter"] as? Int ?? 0)
        XCTAssertLessThanOrEqual(Double(after), 0.5 * Double(before))
        let pruned = try ModelCheckpoint.read(path: folder + "/pruned.safetensors")
        XCTAssertEqual(try pruned.model.cost().flops, after)
        XCTAssertTrue(pruned.model.stateDictionaryKeys.contains { $0.hasSuffix(".rotation_in.weight") })
        let info = try CLIRun.run(["info", folder + "/pruned.safetensors", "--json"])
        XCTAssertEqual(info.status, 0, info.error)
        XCTAssertTrue(info.output.contains("rotation_in"), info.output)
        let evaluation = try CLIRun.run(["eval", folder + "/pruned.safetensors", "--data-dir", root, "--test-limit", "128"])
        XCTAssertEqual(evaluation.status, 0, evaluation.error)
        XCTAssertTrue(evaluation.output.contains("top-1"))
        let again = try CLIRun.run(["prune", folder + "/pruned.safetensors", "--method", "l1", "--flops", "0.8", "--out", folder + "/l1"] + common)
        XCTAssertEqual(again.status, 0, again.error)
        let second = try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any]
        XCTAssertLessThan(second?["flopsAfter"] as? Int ?? .max, after)
        let methods = try CLIRun.run(["methods"])
        XCTAssertTrue(methods.output.contains("eigendamage"))
    }
}
