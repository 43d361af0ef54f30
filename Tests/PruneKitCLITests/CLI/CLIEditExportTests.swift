import XCTest
@testable import PruneKit
import PruneKitTestSupport

/// `prune-cli edit` (block removal, factorised convs as graph edits) and `export --graph --probe` (what
/// `Scripts/pytorch_graph_model.py` reads), on the reference ResNet-20 in `Models/`.
final class CLIEditExportTests: XCTestCase {
    private let reference = "Models/resnet20-cifar10-jpeg.safetensors"
    private var folder = ""
    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cli-edit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testEditRemovesBlocksAndFactorisesAndTheResultKeepsItsFunctionWhereUntouched() throws {
        let listed = try CLIRun.run(["edit", reference, "--list-blocks"])
        XCTAssertEqual(listed.status, 0, listed.error)
        XCTAssertEqual(listed.output.split(separator: "\n").count, 9)
        XCTAssertTrue(listed.output.contains("layer2.0.add"))
        let out = folder + "/edited.safetensors"
        let run = try CLIRun.run(["edit", reference, "--remove-blocks", "layer1.1.add,layer2.0.add", "--factorise", "layer3.1.conv1", "--out", out])
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.output.contains("parameters 269722 -> "), run.output)
        let edited = try ModelCheckpoint.read(path: out).model
        XCTAssertEqual(edited.spec.family, .graph)
        XCTAssertNil(edited.namedLayers["layer1.1.conv1"])
        XCTAssertNotNil(edited.namedLayers["layer3.1.conv1.core"])
        XCTAssertEqual(edited.parameterCount, 269_722 - 2 * (16 * 16 * 9 + 32) - (16 * 32 * 9 + 32 * 32 * 9 + 4 * 32) + 2 * 64 * 64)

        let graphPath = folder + "/edited.json", probePath = folder + "/edited.probe.safetensors"
        let export = try CLIRun.run(["export", out, "--out", folder + "/shared.safetensors", "--graph", graphPath, "--probe", probePath])
        XCTAssertEqual(export.status, 0, export.error)
        let graph = try JSONDecoder().decode(NetworkGraph.self, from: Data(contentsOf: URL(fileURLWithPath: graphPath)))
        XCTAssertEqual(graph, try edited.currentGraph())
        let probe = try SafeTensors.read(path: probePath)
        guard case let .float32(input)? = probe["input"], case let .float32(logits)? = probe["logits"] else {
            return XCTFail("probe lacks input or logits")
        }
        XCTAssertEqual(input.shape, [4, 3, 32, 32])
        let expected = try GradientMode.withoutGradients { try edited(Variable(input), ForwardContext(training: false)) }.value
        XCTAssertEqual(logits, expected)
    }

    func testEditErrorsNameTheOptionAndValue() throws {
        let cases: [([String], [String])] = [
            (["--remove-blocks", "layer9.0.add", "--out", folder + "/x.safetensors"], ["--remove-blocks", "layer9.0.add"]),
            (["--factorise", "fc", "--out", folder + "/x.safetensors"], ["--factorise", "'fc'"]),
            (["--out", folder + "/x.safetensors"], ["nothing to do"]),
            (["--remove-blocks", "layer1.0.add"], ["'--out' is required"]),
        ]
        for (flags, fragments) in cases {
            let run = try CLIRun.run(["edit", reference] + flags)
            XCTAssertEqual(run.status, 64, "\(flags): \(run.error)")
            for fragment in fragments { XCTAssertTrue(run.error.contains(fragment), "\(flags): '\(run.error)' should mention \(fragment)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/x.safetensors"))
    }
}
