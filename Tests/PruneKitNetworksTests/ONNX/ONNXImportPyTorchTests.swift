import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// `ONNXImport` on a file PruneKit did not write: Tests/Fixtures/ONNX/torch-style-cnn.onnx, laid out as
/// `torch.onnx.export` (opset 17) writes a small ResNet-style CNN (scope-path node names, a batch norm folded into
/// `onnx::Conv_*` weights, BN nodes, Constant operands, two Slices + Pad for an option-A shortcut, MaxPool,
/// GlobalAveragePool + the Shape/Gather/Unsqueeze/Concat/Reshape of `x.view(x.size(0), -1)`, Identity, MatMul + Add).
/// The fixture and its probe (input and onnxruntime 1.32's logits) come from
/// `Scripts/onnx_torch_style_model.py Tests/Fixtures/ONNX/torch-style-cnn.onnx Tests/Fixtures/ONNX/torch-style-cnn.probe.safetensors`.
final class ONNXImportPyTorchTests: XCTestCase {
    private let path = "Tests/Fixtures/ONNX/torch-style-cnn.onnx"

    private func imported() throws -> Model {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return try ONNXImport(try ONNXModel(decoding: bytes, source: path), source: path).model(name: "torch-style-cnn")
    }

    func testLogitsMatchOnnxRuntime() throws {
        let probe = try SafeTensors.read(path: "Tests/Fixtures/ONNX/torch-style-cnn.probe.safetensors")
        let input = try probe.tensor(named: "input"), expected = try probe.tensor(named: "logits")
        // onnxruntime's first row, as the script printed it.
        assertClose(try Tensor(shape: [5], scalars: Array(expected.scalars.prefix(5))),
                    [6.827073574066162, 3.1207759380340576, -1.6713916063308716, 2.2106869220733643, 4.424470901489258])
        let logits = try NetworkFixtures.logits(try imported(), input, training: false)
        XCTAssertEqual(logits.shape, [4, 5])
        XCTAssertLessThanOrEqual(NetworkFixtures.relativeDifference(logits, expected), 1e-5)
    }

    func testScopePathsBecomeStateDictionaryNames() throws {
        let model = try imported()
        XCTAssertEqual(model.graph.parameterisedNodeNames, ["conv1", "layer1.0.conv1", "layer1.0.bn1", "layer1.0.conv2", "layer1.0.bn2",
                                                            "layer2.0.conv1", "layer2.0.bn1", "layer2.0.conv2", "layer2.0.bn2", "fc"])
        XCTAssertTrue(model.graph.nodes.contains { $0.operation == .channelPad(outputChannels: 8, stride: 2) })
        XCTAssertEqual(model.graph.node(named: "conv1")?.operation,
                       .convolution(.init(outputChannels: 4, kernelSize: 3, padding: 1, bias: true)), "the folded batch norm's bias")
        XCTAssertEqual(model.graph.node(named: "fc")?.operation, .linear(.init(outputFeatures: 5, bias: true)), "MatMul + Add of the bias")
        XCTAssertEqual(model.parameterCount, 1_357)
    }
}
