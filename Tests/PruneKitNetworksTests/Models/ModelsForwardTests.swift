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
        let block = makeBasicBlock(inputChannels: 2, outputChannels: 5, shortcut: .zeroPadding(stride: 2))
        block.convolution2.weight.value = Tensor(zeros: [5, 5, 3, 3])     // main path is then exactly 0
        let input = Variable(Tensor.ramp(shape: [1, 2, 4, 4], start: -3))
        let output = try block(input, evaluation).value
        XCTAssertEqual(output.shape, [1, 5, 2, 2])
        let x = input.value
        for channel in 0..<5 { for i in 0..<2 { for j in 0..<2 {
            let expected = (1...2).contains(channel) ? max(x[0, channel - 1, 2 * i, 2 * j], 0) : 0
            XCTAssertEqual(output[0, channel, i, j], expected, "channel \(channel) (\(i), \(j))")
        } } }
    }

    func testBasicBlockMatchesItsFormula() throws {
        var generator = SplitMix64(seed: 6)
        let projection = Sequential([Conv2d(name: "downsample.0", inputChannels: 3, outputChannels: 4, kernelSize: 1, stride: 2,
                                            generator: &generator), BatchNorm(name: "downsample.1", channels: 4)])
        let block = makeBasicBlock(inputChannels: 3, outputChannels: 4, shortcut: .projection(projection))
        let input = Variable(randomTensor([2, 3, 6, 6], seed: 7))
        var main = relu(try block.batchNorm1(try block.convolution1(input, evaluation), evaluation))
        main = try block.batchNorm2(try block.convolution2(main, evaluation), evaluation)
        let expected = relu(try add(main, try projection(input, evaluation)))
        XCTAssertEqual(try block(input, evaluation).value, expected.value)
        XCTAssertEqual(block.parameters.map(\.name), ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight",
                                                      "bn2.bias", "downsample.0.weight", "downsample.1.weight", "downsample.1.bias"])
    }

    func testPreActivationBlockMatchesItsFormula() throws {
        var generator = SplitMix64(seed: 8)
        func conv(_ name: String, _ input: Int, _ output: Int, _ kernel: Int, _ stride: Int) -> Conv2d {
            Conv2d(name: name, inputChannels: input, outputChannels: output, kernelSize: kernel, stride: stride,
                   padding: kernel / 2, generator: &generator)
        }
        let block = PreActivationBlock(batchNorm1: BatchNorm(name: "bn1", channels: 3), convolution1: conv("conv1", 3, 4, 3, 2),
                                       batchNorm2: BatchNorm(name: "bn2", channels: 4), convolution2: conv("conv2", 4, 4, 3, 1),
                                       shortcut: conv("shortcut", 3, 4, 1, 2), dropoutProbability: 0.5)
        let input = Variable(randomTensor([2, 3, 6, 6], seed: 9))
        let activated = relu(try block.batchNorm1(input, evaluation))
        let hidden = relu(try block.batchNorm2(try block.convolution1(activated, evaluation), evaluation))
        let expected = try add(try block.convolution2(hidden, evaluation), try block.shortcut!(activated, evaluation))
        XCTAssertEqual(try block(input, evaluation).value, expected.value, "dropout is the identity in evaluation")
        XCTAssertEqual(block.parameters.map(\.name), ["bn1.weight", "bn1.bias", "conv1.weight", "bn2.weight", "bn2.bias",
                                                      "conv2.weight", "shortcut.weight"])
        let training = try block(input, ForwardContext(training: true, generator: SplitMix64(seed: 1)))
        XCTAssertEqual(training.shape, [2, 4, 3, 3])
    }

    private func makeBasicBlock(inputChannels: Int, outputChannels: Int, shortcut: BasicBlock.Shortcut) -> BasicBlock {
        var generator = SplitMix64(seed: 10)
        return BasicBlock(
            convolution1: Conv2d(name: "conv1", inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3,
                                 stride: 2, padding: 1, generator: &generator),
            batchNorm1: BatchNorm(name: "bn1", channels: outputChannels),
            convolution2: Conv2d(name: "conv2", inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3,
                                 padding: 1, generator: &generator),
            batchNorm2: BatchNorm(name: "bn2", channels: outputChannels), shortcut: shortcut)
    }
}
