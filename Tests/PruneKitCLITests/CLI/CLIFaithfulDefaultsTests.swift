import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// issue 21 in the CLI: sDprun without a target, Li et al.'s presets for l1, and `methods --detail` naming each
/// method's default and why.
final class CLIFaithfulDefaultsTests: XCTestCase {
    func testDetailNamesDefaultsAndPaperForms() throws {
        let expectations: [(String, [String])] = [
            ("sdprun", ["target: none by default", "sdprun_groups_removed_by_top_up"]),
            ("increg", ["--increg-configuration", "lenet-mnist: tau 0.05, lr 5e-4", "cifar: tau 2.5, lr 0.005", "smallest L1 norm"]),
            ("slimming", ["1e-4 for VGG", "from scratch, 160 epochs", "starts from the trained checkpoint"]),
            ("taylor", ["--taylor-schedule", "default --taylor-schedule fraction", "one\n    feature map per N updates"]),
            ("l1", ["--preset", "li-resnet56-b", "--criterion", "default --criterion filter"]),
            ("l2", ["--criterion-reduction"]),
            ("greg-2", ["_ada_reg", "each layer stops on its own"]),
            ("sfp", ["--sfp-residual", "Default `stream`", "`per-conv` is the paper's form"]),
        ]
        for (method, fragments) in expectations {
            let run = try CLIRun.run(["methods", "--detail", method])
            XCTAssertEqual(run.status, 0, run.error)
            for fragment in fragments { XCTAssertTrue(run.output.contains(fragment), "\(method): missing '\(fragment)' in\n\(run.output)") }
        }
    }

    func testPresetAndTargetUsageErrors() throws {
        let cases: [([String], String)] = [
            (["prune", "x.safetensors", "--method", "l2", "--preset", "li-resnet56-b", "--out", "/tmp/x"], "'--preset' belongs to method 'l1'"),
            (["prune", "x.safetensors", "--method", "l1", "--preset", "li-resnet56-b", "--flops", "0.5", "--out", "/tmp/x"],
             "option '--flops' is set by '--preset'"),
            (["prune", "x.safetensors", "--method", "l1", "--preset", "nope", "--out", "/tmp/x"], "option '--preset': expected one of li-resnet56-a"),
            (["prune", "x.safetensors", "--method", "increg", "--out", "/tmp/x"], "exactly one target"),
            (["prune", "Models/lenet5-mnist.safetensors", "--method", "l1", "--preset", "li-resnet56-b", "--out", NSTemporaryDirectory() + "preset-\(UUID().uuidString)"],
             "option '--preset': expected a resnet-56 model for 'li-resnet56-b', found lenet5-5"),
        ]
        for (arguments, fragment) in cases {
            let run = try CLIRun.run(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.error)")
            XCTAssertTrue(run.error.contains(fragment), "\(arguments): '\(run.error)' should mention \(fragment)")
        }
    }

    /// `prune --method sfp --sfp-residual per-conv`: the paper's compact ResNet, streams full width behind scatters.
    func testSoftFilterPerConvolutionWritesAScatterModel() throws {
        let root = try realDataRoot(containing: "cifar-10-jpeg")
        let folder = NSTemporaryDirectory() + "cli-sfp-per-conv-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CLIRun.run(["prune", "Models/resnet20-cifar10-jpeg.safetensors", "--method", "sfp", "--sfp-residual", "per-conv",
                                  "--ratio", "0.3", "--sfp-epochs", "0", "--finetune-epochs", "0", "--dataset", "cifar10", "--data-dir", root,
                                  "--train-limit", "128", "--test-limit", "64", "--latency-batch-sizes", "none", "--out", folder], environment: ["PRUNEKIT_THREADS": "2"])
        XCTAssertEqual(run.status, 0, run.error)
        let checkpoint = try ModelCheckpoint.read(path: folder + "/pruned.safetensors")
        XCTAssertEqual(checkpoint.model.graph.nodes.filter { $0.operation.jsonName == "channel_scatter" }.count, 10)
        let bad = try CLIRun.run(["prune", "x.safetensors", "--method", "sfp", "--sfp-residual", "paper", "--ratio", "0.3", "--out", "/tmp/x"])
        XCTAssertEqual(bad.status, 64, bad.error)
        XCTAssertTrue(bad.error.contains("stream or per-conv"), bad.error)
    }

    /// `prune --method sdprun` with no target: the zero groups only, reported as such (no gRDA epochs here, so it
    /// is quick; the counts are what matter).
    func testSDprunRunsWithoutATarget() throws {
        let root = try realDataRoot(containing: "mnist")
        let folder = NSTemporaryDirectory() + "cli-sdprun-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CLIRun.run(["prune", "Models/lenet5-mnist.safetensors", "--method", "sdprun", "--sdprun-epochs", "0",
                                  "--sdprun-from-scratch", "false", "--data-dir", root, "--train-limit", "256", "--test-limit", "256",
                                  "--latency-batch-sizes", "none", "--out", folder, "--json"], environment: ["PRUNEKIT_THREADS": "2"])
        XCTAssertEqual(run.status, 0, run.error)
        let report = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let results = report?["results"] as? [String: Double] ?? [:]
        XCTAssertEqual(results["sdprun_groups_removed_by_top_up"], 0, "\(results)")
        XCTAssertNotNil(results["sdprun_groups_removed_by_grda"], "\(results)")
        let text = try String(contentsOfFile: folder + "/report.txt", encoding: .utf8)
        XCTAssertTrue(text.contains("target none"), text)
    }
}
