import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `prune --method spp` end to end on a tiny CIFAR-10 subset: a few pruning-phase iterations, the FLOPs target met,
/// the checkpoint carries column records and `eval` reads it; `methods --detail spp` lists the flags; a bad flag
/// value is a usage error naming the flag.
final class CLIStructuredProbabilisticPruningTests: XCTestCase {
    func testSppPruneSavesColumnRecords() throws {
        let root = try realDataRoot(containing: "cifar-10-jpeg")
        let folder = NSTemporaryDirectory() + "cli-spp-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CLIRun.run(["prune", "Models/resnet20-cifar10-jpeg.safetensors", "--method", "spp", "--flops", "0.6",
                                  "--spp-epochs", "1", "--spp-iterations", "2", "--spp-increment", "0.5", "--data-dir", root,
                                  "--dataset", "cifar10", "--train-limit", "64", "--test-limit", "64", "--batch-size", "32",
                                  "--latency-batch-sizes", "none", "--no-shuffle", "--json", "--out", folder],
                                 environment: ["PRUNEKIT_THREADS": "2"])
        XCTAssertEqual(run.status, 0, run.error)
        let report = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let (before, after) = (report?["flopsBefore"] as? Int ?? 0, report?["flopsAfter"] as? Int ?? .max)
        XCTAssertLessThanOrEqual(Double(after), 0.6 * Double(before))
        XCTAssertGreaterThan(Double(after), 0.5 * Double(before))
        let results = report?["results"] as? [String: Any]
        XCTAssertEqual(results?["spp_iterations"] as? Double, 2)
        let pruned = try ModelCheckpoint.read(path: folder + "/pruned.safetensors")
        XCTAssertEqual(try pruned.model.cost().flops, after)
        let recorded = try pruned.model.currentGraph().nodes.filter { node in
            if case let .convolution(attributes) = node.operation { return attributes.sparsity != nil }
            return false
        }
        XCTAssertEqual(recorded.count, 18, "every conv but the first (ResNet-20 has option-A shortcuts, no 1x1 convs)")
        let evaluation = try CLIRun.run(["eval", folder + "/pruned.safetensors", "--data-dir", root, "--test-limit", "64"])
        XCTAssertEqual(evaluation.status, 0, evaluation.error)
    }

    func testDetailAndBadFlagValues() throws {
        let detail = try CLIRun.run(["methods", "--detail", "spp"])
        XCTAssertEqual(detail.status, 0, detail.error)
        for flag in ["--spp-increment", "--spp-symmetry", "--spp-interval", "--spp-score-decay", "--spp-linear", "--spp-rescale",
                     "--spp-epochs", "--spp-iterations", "--spp-lr", "--spp-weight-decay", "default 0.05", "constant lr 0.001"] {
            XCTAssertTrue(detail.output.contains(flag), "missing '\(flag)' in\n\(detail.output)")
        }
        var cases: [([String], String)] = [
            (["--ratio", "0.5", "--spp-symmetry", "2"], "spp-symmetry"),
            (["--ratio", "0.5", "--spp-linear", "maybe"], "spp-linear"),
            (["--ratio", "0.5", "--spp-interval", "0"], "spp-interval"),
            (["--ratio", "0.5", "--steps", "2"], "steps"),
        ]
        // The target is checked when the session starts, after the data is found: only with real data.
        if let root = try? realDataRoot(containing: "cifar-10-jpeg") { cases.append((["--params", "0.5", "--data-dir", root], "params")) }
        for (arguments, fragment) in cases {
            let run = try CLIRun.run(["prune", "Models/resnet20-cifar10-jpeg.safetensors", "--method", "spp", "--out", "/tmp/spp-never"] + arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.error)")
            XCTAssertTrue(run.error.contains(fragment), "\(arguments): '\(run.error)' should name \(fragment)")
        }
    }
}
