import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// `ONNXImport`: PruneKit's own exports (with and without batch-norm folding) import back to the same logits, node
/// names and tensors come back as the exporter wrote them, and unsupported content is an error naming the node.
/// The remaining zoo networks (pruned, edited, WRN, ResNet-v2) are checked end to end by Scripts/check-onnx.sh.
final class ONNXImportTests: XCTestCase {
    /// Exports `model`, decodes the bytes, imports them and compares logits on seeded images to 1e-5 relative.
    @discardableResult
    private func assertRoundTrip(_ model: Model, fold: Bool, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws -> Model {
        let bytes = try model.onnxModel(options: .init(foldBatchNorm: fold)).serialized()
        let imported = try ONNXImport(try ONNXModel(decoding: bytes, source: label), source: label).model(name: label)
        let images = NetworkFixtures.images(for: model.spec, count: 3, seed: 7)
        let expected = try NetworkFixtures.logits(model, images, training: false)
        let found = try NetworkFixtures.logits(imported, images, training: false)
        XCTAssertEqual(found.shape, expected.shape, label, file: file, line: line)
        XCTAssertLessThanOrEqual(NetworkFixtures.relativeDifference(found, expected), 1e-5, "\(label) fold \(fold)", file: file, line: line)
        return imported
    }

    private func zooModel(_ name: String) throws -> Model {
        let model = try ModelZoo.build(name: name, seed: 3)
        NetworkFixtures.randomizeBatchNorms(model, seed: 4)
        return model
    }

    func testLeNet5RoundTripKeepsNamesAndLogits() throws {
        let model = try zooModel("lenet5")
        let imported = try assertRoundTrip(model, fold: false, "lenet5")
        XCTAssertEqual(imported.stateDictionaryKeys, model.stateDictionaryKeys, "the exporter's initializer names are the state_dict's")
        XCTAssertEqual(imported.parameterCount, model.parameterCount)
        try assertRoundTrip(model, fold: true, "lenet5")
    }

    func testResNet20OptionAShortcutsRoundTrip() throws {
        let model = try zooModel("resnet20")
        let imported = try assertRoundTrip(model, fold: false, "resnet20")
        let pads = imported.graph.nodes.filter { if case .channelPad = $0.operation { true } else { false } }
        XCTAssertEqual(pads.map(\.operation), [.channelPad(outputChannels: 32, stride: 2), .channelPad(outputChannels: 64, stride: 2)])
        XCTAssertEqual(try imported.cost().flops, try model.cost().flops, "same network, same FLOPs")
        let folded = try assertRoundTrip(model, fold: true, "resnet20")
        XCTAssertFalse(folded.graph.nodes.contains { $0.operation == .batchNorm }, "folded batch norms are conv biases")
    }

    func testVGGWithMaxPoolsAndResNetWithProjectionsRoundTrip() throws {
        for name in ["vgg11", "resnet20-b"] {
            let model = try zooModel(name)
            for fold in [false, true] { try assertRoundTrip(model, fold: fold, name) }
        }
    }

    func testChannelScatterRoundTrips() throws {
        var builder = GraphBuilder(inputShape: [1, 4, 4])
        builder.convolution("conv", out: 3, kernel: 3, padding: 1)
        builder.batchNorm("bn")
        builder.append("flatten", .flatten)
        builder.linear("fc", out: 2)
        let graph = try builder.graph.insertingScatter(after: "bn", keeping: [0, 2])
        let model = try Model(spec: ModelSpec(name: "scatter", graph: graph), seed: 1)
        NetworkFixtures.randomizeBatchNorms(model, seed: 2)
        let imported = try assertRoundTrip(model, fold: false, "scatter")
        XCTAssertTrue(imported.graph.nodes.contains { $0.operation == .channelScatter(outputChannels: 3, indices: [0, 2]) })
    }

    func testUnsupportedOperatorNamesTheNodeAndTheSupportedSet() throws {
        var graph = try ModelZoo.build(name: "lenet5", seed: 1).onnxModel().graph
        graph.nodes[1].operatorType = "Sigmoid"
        assertThrowsPruneKitError(["ONNX import: lenet5.onnx: node '\(graph.nodes[1].name)' (index 1, Sigmoid) is not supported",
                                   "supported operators: Conv, BatchNormalization"]) {
            _ = try ONNXImport(ONNXModel(graph: graph), source: "lenet5.onnx")
        }
    }

    func testUnsupportedAttributeValuesNameTheNode() throws {
        var graph = try ModelZoo.build(name: "lenet5", seed: 1).onnxModel().graph
        let conv = graph.nodes.firstIndex { $0.operatorType == "Conv" }!
        graph.nodes[conv].attributes.append(ONNXAttribute("dilations", .integers([2, 2])))
        assertThrowsPruneKitError(["node 'conv1' (index 0, Conv) has dilations = [2, 2], which is not supported; supported: [1, 1]"]) {
            _ = try ONNXImport(ONNXModel(graph: graph), source: "x.onnx")
        }
        graph.nodes[conv].attributes = [ONNXAttribute("pads", .integers([1, 0, 1, 0]))]
        assertThrowsPruneKitError(["(index 0, Conv) has pads = [1, 0, 1, 0]", "four equal values"]) {
            _ = try ONNXImport(ONNXModel(graph: graph), source: "x.onnx")
        }
        graph.nodes[conv].attributes = [ONNXAttribute("foo", .integer(1))]
        assertThrowsPruneKitError(["has the attribute 'foo', which is not supported; supported: auto_pad, dilations, group"]) {
            _ = try ONNXImport(ONNXModel(graph: graph), source: "x.onnx")
        }
    }

    func testNonFloatTensorAndOldOpsetAreClearErrors() throws {
        // A TensorProto of data type DOUBLE (11): dims [1], data_type 11, name "w".
        var tensor = ProtobufWriter()
        tensor.integer(1, 1); tensor.integer(2, 11); tensor.string(8, "w")
        var model = ProtobufWriter()
        model.message(7) { graph in graph.message(5) { $0 = tensor } }
        assertThrowsPruneKitError(["double.onnx: malformed file", "tensor 'w' of data type FLOAT (1) or INT64 (7)", "found data type 11 at byte 4"]) {
            _ = try ONNXModel(decoding: model.bytes, source: "double.onnx")
        }
        var onnx = try ModelZoo.build(name: "lenet5", seed: 1).onnxModel()
        onnx.operatorSetVersion = 9
        assertThrowsPruneKitError(["opset 9 of the default domain; supported: 13-23"]) { _ = try ONNXImport(onnx, source: "old.onnx") }
    }

    func testHostilePadAndSliceValuesThrowInsteadOfOverflowing() throws {
        let onnx = try ModelZoo.build(name: "resnet20", seed: 1).onnxModel()
        for (suffix, values, fragment) in [(".pads", [0, Int.max, 0, 0, 0, Int.max, 0, 0], "pads [0, \(Int.max)"),
                                           (".steps", [Int.max, Int.max], "step \(Int.max)")] {
            var graph = onnx.graph
            let index = graph.initializers.firstIndex { $0.name.hasSuffix(suffix) }!
            graph.initializers[index].elements = .int64(values)
            var hostile = onnx
            hostile.graph = graph
            assertThrowsPruneKitError(["hostile.onnx: node 'layer2.0.pad", fragment]) { _ = try ONNXImport(hostile, source: "hostile.onnx") }
        }
    }

    /// The dynamo exporter's form of `adaptive_avg_pool2d(x, 1)`: ReduceMean with the axes as an input (opset 18+), kept
    /// or dropped dimensions, at opset 20; axes other than H and W are named.
    func testReduceMeanOverHeightAndWidthIsAGlobalPool() throws {
        let model = try zooModel("resnet20")
        let images = NetworkFixtures.images(for: model.spec, count: 3, seed: 7)
        let expected = try NetworkFixtures.logits(model, images, training: false)
        var onnx = try model.onnxModel()
        onnx.operatorSetVersion = 20
        let pool = onnx.graph.nodes.firstIndex { $0.operatorType == "GlobalAveragePool" }!
        onnx.graph.initializers.append(ONNXTensor(name: "mean.axes", dimensions: [2], integers: [-2, -1]))
        for keepDimensions in [1, 0] {
            var variant = onnx
            variant.graph.nodes[pool].operatorType = "ReduceMean"
            variant.graph.nodes[pool].inputs.append("mean.axes")
            variant.graph.nodes[pool].attributes = [ONNXAttribute("keepdims", .integer(keepDimensions))]
            let imported = try ONNXImport(variant, source: "dynamo.onnx").model(name: "dynamo")
            let found = try NetworkFixtures.logits(imported, images, training: false)
            XCTAssertLessThanOrEqual(NetworkFixtures.relativeDifference(found, expected), 1e-5, "keepdims \(keepDimensions)")
        }
        var wrong = onnx
        wrong.graph.nodes[pool].operatorType = "ReduceMean"
        wrong.graph.nodes[pool].attributes = [ONNXAttribute("axes", .integers([1, 2]))]
        assertThrowsPruneKitError(["(index \(pool), ReduceMean) has axes = [1, 2]", "[2, 3] (the mean over height and width)"]) {
            _ = try ONNXImport(wrong, source: "wrong.onnx")
        }
    }

    func testDecodingGivesBackTheExportedModel() throws {
        let onnx = try ModelZoo.build(name: "resnet20", seed: 2).onnxModel(options: .init(foldBatchNorm: true))
        let decoded = try ONNXModel(decoding: onnx.serialized(), source: "r20")
        XCTAssertEqual(decoded, onnx, "every field the exporter writes is read back")
    }
}
