import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// Forward wiring against models.py, checked by composing the ops by hand (ReLU placement, shortcut
/// conventions, option-A channel placement).
final class ModelsForwardTests: XCTestCase {
    private let evaluation = ForwardContext(training: false)

    func testMultilayerPerceptronHasNoReLUAfterTheLastLayer() throws {
        let model = try Model(spec: .multilayerPerceptron(hiddenFeatures: [6, 5], inputShape: [1, 3, 3], classCount: 4), seed: 2)
        let input = Variable(randomTensor([2, 1, 3, 3], seed: 3))
        let layers = try model.layerNames.map { try XCTUnwrap(model.namedLayers[$0] as? Linear) }
        var expected = try flatten(input)
        expected = relu(try linear(expected, weight: layers[0].weight, bias: layers[0].bias))
        expected = relu(try linear(expected, weight: layers[1].weight, bias: layers[1].bias))
        expected = try linear(expected, weight: layers[2].weight, bias: layers[2].bias)
        XCTAssertTrue(expected.value.scalars.contains { $0 < 0 }, "logits should be able to go negative")
        XCTAssertEqual(try model(input, evaluation).value, expected.value)
    }

    func testLeNet5CaffeHasNoReLUAfterTheConvolutions() throws {
        let model = try ModelZoo.build(name: "lenet5", seed: 4)
        let input = Variable(randomTensor([2, 1, 28, 28], seed: 5))
        func layer<T>(_ name: String, _ type: T.Type) throws -> T { try XCTUnwrap(model.namedLayers[name] as? T) }
        let conv1 = try layer("conv1", Conv2d.self), conv2 = try layer("conv2", Conv2d.self)
        let fc1 = try layer("fc1", Linear.self), fc2 = try layer("fc2", Linear.self)
        var expected = try maxPool2d(try conv2d(input, weight: conv1.weight, bias: conv1.bias), kernelSize: 2)
        expected = try flatten(try maxPool2d(try conv2d(expected, weight: conv2.weight, bias: conv2.bias), kernelSize: 2))
        expected = try linear(relu(try linear(expected, weight: fc1.weight, bias: fc1.bias)), weight: fc2.weight, bias: fc2.bias)
        XCTAssertEqual(try model(input, evaluation).value, expected.value)
    }

    func testZeroPaddingShortcutPutsTheInputInTheMiddleChannels() throws {
        // 2 -> 5 channels: 3 zero channels, 1 before and 2 after (models.py: pad // 2 before).
        let model = try residualModel(inputChannels: 2, outputChannels: 5, side: 4, shortcut: .zeroPadding)
        (model.namedLayers["conv2"] as! Conv2d).weight.value = Tensor(zeros: [5, 5, 3, 3])     // main path is then exactly 0
        let input = Variable(Tensor.ramp(shape: [1, 2, 4, 4], start: -3))
        let output = try model(input, evaluation).value
        XCTAssertEqual(output.shape, [1, 20])
        let x = input.value
        for channel in 0..<5 { for i in 0..<2 { for j in 0..<2 {
            let expected = (1...2).contains(channel) ? max(x[0, channel - 1, 2 * i, 2 * j], 0) : 0
            XCTAssertEqual(output[0, channel * 4 + i * 2 + j], expected, "channel \(channel) (\(i), \(j))")
        } } }
    }

    func testBasicBlockGraphMatchesItsFormula() throws {
        let model = try residualModel(inputChannels: 3, outputChannels: 4, side: 6, shortcut: .projection)
        func layer<T>(_ name: String, _ type: T.Type) throws -> T { try XCTUnwrap(model.namedLayers[name] as? T) }
        let input = Variable(randomTensor([2, 3, 6, 6], seed: 7))
        var main = relu(try layer("bn1", BatchNorm.self)(try layer("conv1", Conv2d.self)(input, evaluation), evaluation))
        main = try layer("bn2", BatchNorm.self)(try layer("conv2", Conv2d.self)(main, evaluation), evaluation)
        let projection = try layer("downsample.1", BatchNorm.self)(try layer("downsample.0", Conv2d.self)(input, evaluation), evaluation)
        let expected = try flatten(relu(try add(main, projection)))
        XCTAssertEqual(try model(input, evaluation).value, expected.value)
        XCTAssertEqual(model.parameters.map(\.name), ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight",
                                                      "bn2.bias", "downsample.0.weight", "downsample.1.weight", "downsample.1.bias"])
    }

    func testPreActivationBlockOfWideResNetMatchesItsFormula() throws {
        let model = try Model(spec: .wideResNet(depth: 10, widthFactor: 1, dropoutProbability: 0.5, inputShape: [3, 8, 8]), seed: 8)
        func layer<T>(_ name: String, _ type: T.Type) throws -> T { try XCTUnwrap(model.namedLayers[name] as? T) }
        let input = Variable(randomTensor([2, 3, 8, 8], seed: 9))
        let stem = try layer("conv1", Conv2d.self)(input, evaluation)
        let activated = relu(try layer("blocks.0.bn1", BatchNorm.self)(stem, evaluation))
        let hidden = relu(try layer("blocks.0.bn2", BatchNorm.self)(try layer("blocks.0.conv1", Conv2d.self)(activated, evaluation), evaluation))
        let block0 = try add(try layer("blocks.0.conv2", Conv2d.self)(hidden, evaluation), stem)
        let context = ForwardContext(training: false)
        var seen: [String: Tensor] = [:]
        context.layerOutputHook = { layer, _, output in
            if let batchNorm = layer as? BatchNorm { seen[batchNorm.name] = output.value }
            return output
        }
        _ = try model(input, context)
        // blocks.1.bn1 normalises block 0's output: y = conv2(dropout(relu(bn2(conv1(o))))) + x, dropout off in evaluation.
        XCTAssertEqual(seen["blocks.1.bn1"], try layer("blocks.1.bn1", BatchNorm.self)(block0, evaluation).value)
        XCTAssertEqual(Array(model.parameters.map(\.name).prefix(7)), ["conv1.weight", "blocks.0.bn1.weight", "blocks.0.bn1.bias",
                                                                      "blocks.0.conv1.weight", "blocks.0.bn2.weight", "blocks.0.bn2.bias",
                                                                      "blocks.0.conv2.weight"])
        let training = try model(input, ForwardContext(training: true, generator: SplitMix64(seed: 1)))
        XCTAssertEqual(training.shape, [2, 10])
    }

    /// input [C, S, S] - conv1 (stride 2) - bn1 - relu - conv2 - bn2 - add(shortcut) - relu - flatten, as a graph.
    private func residualModel(inputChannels: Int, outputChannels: Int, side: Int, shortcut: ModelSpec.Shortcut) throws -> Model {
        var builder = GraphBuilder(inputShape: [inputChannels, side, side])
        builder.convolution("conv1", out: outputChannels, kernel: 3, stride: 2, padding: 1)
        builder.batchNorm("bn1"); builder.relu("relu1")
        builder.convolution("conv2", out: outputChannels, kernel: 3, padding: 1)
        let main = builder.batchNorm("bn2")
        let other: String
        if shortcut == .projection {
            builder.convolution("downsample.0", out: outputChannels, kernel: 1, stride: 2, from: "input")
            other = builder.batchNorm("downsample.1")
        } else {
            other = builder.append("pad", .channelPad(outputChannels: outputChannels, stride: 2), inputs: ["input"])
        }
        builder.append("add", .add, inputs: [main, other])
        builder.relu("relu2")
        builder.append("flatten", .flatten)
        return try Model(spec: ModelSpec(name: "block", graph: builder.graph), seed: 10)
    }
}
