import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks

/// `ONNXExport`: a tiny model's exact bytes, every zoo network's operator graph (with and without batch-norm folding),
/// and errors that name the node. Numerical agreement with onnxruntime is checked by Scripts/check-onnx.sh.
final class ONNXExportTests: XCTestCase {
    /// input [1, 4, 4] -> conv (2 out, 3x3, padding 1, bias) -> relu -> flatten -> linear (32 -> 3): the weights are
    /// ramps, so the bytes are fixed.
    private func tinyExport(foldBatchNorm: Bool = false) throws -> ONNXModel {
        var builder = GraphBuilder(inputShape: [1, 4, 4])
        builder.convolution("conv", out: 2, kernel: 3, padding: 1, bias: true)
        builder.relu("relu")
        builder.append("flatten", .flatten)
        builder.linear("fc", out: 3)
        let ramp = { (shape: [Int], scale: Float) in
            try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 % 7) * scale - 0.25 })
        }
        let tensors = ["conv.weight": try ramp([2, 1, 3, 3], 0.125), "conv.bias": try ramp([2], 0.5),
                       "fc.weight": try ramp([3, 32], 0.0625), "fc.bias": try ramp([3], 0.25)]
        return try ONNXExport(graph: builder.graph, tensors: tensors, options: .init(foldBatchNorm: foldBatchNorm)).model()
    }

    func testTinyModelBytes() throws {
        let bytes = try tinyExport().serialized()
        // ModelProto: ir_version (1) = 8, producer_name (2) = "PruneKit", then graph (7) of 2-byte length, opset_import last.
        XCTAssertEqual(Array(bytes.prefix(12)), [0x08, 0x08, 0x12, 0x08] + Array("PruneKit".utf8))
        XCTAssertEqual(bytes[12], 0x3a)
        // opset_import (8) { domain (1) "", version (2) 17 }.
        XCTAssertEqual(Array(bytes.suffix(6)), [0x42, 0x04, 0x0a, 0x00, 0x10, 0x11])
        XCTAssertEqual(bytes.count, 925)
        // Recorded once and checked with onnx 1.x and onnxruntime 1.32: onnx.load reads ir_version 8, producer PruneKit,
        // opset {"": 17}, nodes Conv, Relu, Flatten, Gemm, input dims [batch, 1, 4, 4]; check_model(full_check=True)
        // passes; SerializeToString() gives these same 925 bytes back; onnxruntime's logits for 5 random inputs equal a
        // numpy conv (pad 1) + relu + x @ F.T + c of the same ramps to 6e-8.
        var hash = SHA256()
        hash.update(bytes)
        XCTAssertEqual(hash.finalize().map { String(format: "%02x", $0) }.joined(), "2a8e3b2e45a4d479e1bb99d66477f22d6ab7e0e465aa4e8a8eea95c7e3642c61")
    }

    func testTinyModelOperators() throws {
        let graph = try tinyExport().graph
        XCTAssertEqual(graph.nodes.map(\.operatorType), ["Conv", "Relu", "Flatten", "Gemm"])
        XCTAssertEqual(graph.nodes[0].inputs, ["input", "conv.weight", "conv.bias"])
        XCTAssertEqual(graph.nodes[0].attributes, [ONNXAttribute("group", .integer(1)), ONNXAttribute("kernel_shape", .integers([3, 3])),
                                                   ONNXAttribute("pads", .integers([1, 1, 1, 1])), ONNXAttribute("strides", .integers([1, 1]))])
        XCTAssertEqual(graph.nodes[3].attributes, [ONNXAttribute("transB", .integer(1))])
        XCTAssertEqual(graph.nodes[3].outputs, ["logits"])
        XCTAssertEqual(graph.inputs, [ONNXValueInfo(name: "input", dimensions: [.symbolic("batch"), .fixed(1), .fixed(4), .fixed(4)])])
        XCTAssertEqual(graph.outputs, [ONNXValueInfo(name: "logits", dimensions: [.symbolic("batch"), .fixed(3)])])
        XCTAssertEqual(graph.initializers.map(\.name), ["conv.weight", "conv.bias", "fc.weight", "fc.bias"])
    }

    func testEveryZooNetworkExportsAWellFormedGraph() throws {
        for name in ModelZoo.names {
            let model = try ModelZoo.build(name: name, seed: 1)
            let graph = model.graph
            let norms = graph.nodes.filter { $0.operation == .batchNorm }.count
            for fold in [false, true] {
                let onnx = try model.onnxModel(options: .init(foldBatchNorm: fold)).graph
                try assertWellFormed(onnx, "\(name) fold \(fold)")
                let count = { (type: String) in onnx.nodes.filter { $0.operatorType == type }.count }
                let convolutions = graph.nodes.filter { if case .convolution = $0.operation { return true } else { return false } }.count
                XCTAssertEqual(count("Conv"), convolutions, name)
                XCTAssertEqual(count("Gemm"), graph.nodes.filter { if case .linear = $0.operation { return true } else { return false } }.count, name)
                if fold { XCTAssertLessThan(count("BatchNormalization"), max(norms, 1), name) } else { XCTAssertEqual(count("BatchNormalization"), norms, name) }
                XCTAssertEqual(onnx.outputs[0].dimensions, [.symbolic("batch"), .fixed(model.spec.classCount)], name)
            }
        }
    }

    func testOptionAShortcutAndFoldingOfResNet20() throws {
        let onnx = try ModelZoo.build(name: "resnet20", seed: 1).onnxModel(options: .init(foldBatchNorm: true)).graph
        XCTAssertEqual(onnx.nodes.filter { $0.operatorType == "BatchNormalization" }.count, 0, "every ResNet-20 batch norm follows a conv")
        XCTAssertEqual(onnx.nodes.filter { $0.operatorType == "Slice" }.count, 2, "two stride-2 option-A shortcuts")
        XCTAssertEqual(onnx.nodes.filter { $0.operatorType == "Pad" }.count, 2)
        let pads = onnx.initializers.first { $0.name.hasSuffix(".pads") }
        XCTAssertEqual(pads?.elements, .int64([0, 8, 0, 0, 0, 8, 0, 0]), "16 -> 32 channels: 8 zero channels on each side")
    }

    func testChannelScatterGathersFromAZeroChannelAndAddsTheFill() throws {
        var builder = GraphBuilder(inputShape: [1, 2, 2])
        builder.convolution("conv", out: 3, kernel: 1)
        builder.batchNorm("bn")
        builder.append("flatten", .flatten)
        builder.linear("fc", out: 2)
        let graph = try builder.graph.insertingScatter(after: "bn", keeping: [0, 2])
        let model = try Model(spec: ModelSpec(name: "scatter", graph: graph), seed: 1)
        let onnx = try model.onnxModel().graph
        XCTAssertEqual(onnx.nodes.map(\.operatorType), ["Conv", "BatchNormalization", "Pad", "Gather", "Add", "Flatten", "Gemm"])
        XCTAssertEqual(onnx.initializers.first { $0.name == "bn_scatter.indices" }?.elements, .int64([0, 2, 1]),
                       "channel 1 reads the appended zero channel (index k = 2)")
    }

    func testUnsupportedNodeErrorNamesTheNode() throws {
        var builder = GraphBuilder(inputShape: [2, 4, 4])
        builder.append("grouped", .convolution(.init(outputChannels: 2, kernelSize: 1, groups: 2)))
        builder.append("flatten", .flatten)
        builder.linear("fc", out: 2)
        XCTAssertThrowsError(try ONNXExport(graph: builder.graph, tensors: [:]).model()) { error in
            XCTAssertTrue("\(error)".contains("grouped") && "\(error)".contains("groups"), "\(error)")
        }
    }

    func testMissingTensorErrorNamesTheNodeAndTensor() throws {
        var builder = GraphBuilder(inputShape: [1, 4, 4])
        builder.convolution("conv", out: 2, kernel: 3)
        builder.append("flatten", .flatten)
        builder.linear("fc", out: 2)
        XCTAssertThrowsError(try ONNXExport(graph: builder.graph, tensors: [:]).model()) { error in
            XCTAssertTrue("\(error)".contains("'conv' (conv)") && "\(error)".contains("conv.weight"), "\(error)")
        }
    }

    /// Every operator reads only the graph input, initializers and earlier outputs, names are unique, and the graph
    /// output is produced.
    private func assertWellFormed(_ graph: ONNXGraph, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var defined = Set(["input"] + graph.initializers.map(\.name))
        XCTAssertEqual(defined.count, graph.initializers.count + 1, "\(label): initializer names are unique", file: file, line: line)
        for node in graph.nodes {
            for input in node.inputs where !defined.contains(input) {
                XCTFail("\(label): \(node.name) (\(node.operatorType)) reads undefined '\(input)'", file: file, line: line)
            }
            for output in node.outputs { XCTAssertTrue(defined.insert(output).inserted, "\(label): '\(output)' written twice", file: file, line: line) }
        }
        XCTAssertTrue(defined.contains("logits"), "\(label): no logits", file: file, line: line)
    }
}
