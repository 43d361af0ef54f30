import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// Building, running, naming and initialising the zoo models.
final class ModelsBuildTests: XCTestCase {
    func testEveryZooModelBuildsToItsGeometryAndOutputsClassLogits() throws {
        for entry in ModelZoo.entries where entry.name != "wrn-28-10" {
            let model = try Model(spec: entry.spec, seed: 7)
            XCTAssertEqual(model.parameterCount, ModelsCostTests.exact[entry.name]?.parameters, entry.name)
            XCTAssertEqual(try model.currentSpec(), entry.spec, "layer shapes of \(entry.name) match its geometry")
            let input = Variable(randomTensor([2] + entry.spec.inputShape, seed: 5))
            let output = try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }
            XCTAssertEqual(output.shape, [2, 10], entry.name)
            XCTAssertTrue(output.value.scalars.allSatisfy(\.isFinite), entry.name)
        }
    }

    /// WRN-28-10 (36.5 M parameters, 10.5 GFLOPs per image) at batch 1 only.
    func testWideResNet28x10BuildsAndRunsOneImage() throws {
        let model = try ModelZoo.build(name: "wrn-28-10", seed: 1)
        XCTAssertEqual(model.parameterCount, 36_479_194)
        XCTAssertEqual((model.namedLayers["blocks.8.conv2"] as? Conv2d)?.weight.shape, [640, 640, 3, 3])
        let input = Variable(randomTensor([1, 3, 32, 32], seed: 2))
        let output = try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }
        XCTAssertEqual(output.shape, [1, 10])
    }

    func testStateDictionaryKeysFollowModelsPy() throws {
        let resnet = try ModelZoo.build(name: "resnet20-b", seed: 0)
        XCTAssertEqual(Array(resnet.stateDictionaryKeys.prefix(8)), [
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "layer1.0.conv1.weight", "layer1.0.bn1.weight"])
        XCTAssertEqual(resnet.layerNames.filter { $0.hasPrefix("layer2.0.") }, [
            "layer2.0.conv1", "layer2.0.bn1", "layer2.0.conv2", "layer2.0.bn2", "layer2.0.downsample.0", "layer2.0.downsample.1"])
        XCTAssertEqual(Array(resnet.stateDictionaryKeys.suffix(2)), ["fc.weight", "fc.bias"])
        XCTAssertEqual(resnet.stateDictionaryKeys.count, resnet.parameters.count + 3 * 21, "3 buffers for each of the 21 BatchNorms")

        let wide = try ModelZoo.build(name: "wrn-16-4", seed: 0)
        XCTAssertEqual(Array(wide.layerNames.prefix(7)), [
            "conv1", "blocks.0.bn1", "blocks.0.conv1", "blocks.0.bn2", "blocks.0.conv2", "blocks.0.shortcut", "blocks.1.bn1"])
        XCTAssertEqual(Array(wide.layerNames.suffix(2)), ["bn", "fc"])
        XCTAssertNil(wide.namedLayers["blocks.1.shortcut"])

        let vgg = try ModelZoo.build(name: "vgg16", seed: 0)
        XCTAssertEqual(Array(vgg.layerNames.prefix(5)), ["feature.0", "feature.1", "feature.3", "feature.4", "feature.7"])
        XCTAssertEqual(Array(vgg.layerNames.suffix(3)), ["classifier.0", "classifier.1", "classifier.3"])
        XCTAssertEqual(vgg.layerNames.last(where: { $0.hasPrefix("feature") }), "feature.41")

        XCTAssertEqual(try ModelZoo.build(name: "mlp", seed: 0).parameters.map(\.name), [
            "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"])
        XCTAssertEqual(try ModelZoo.build(name: "lenet5", seed: 0).layerNames, ["conv1", "conv2", "fc1", "fc2"])
    }

    func testSameSeedGivesIdenticalWeightsAndAnotherSeedDoesNot() throws {
        for name in ["resnet20-b", "wrn-16-4", "lenet5"] {
            let first = try ModelZoo.build(name: name, seed: 42), second = try ModelZoo.build(name: name, seed: 42)
            let other = try ModelZoo.build(name: name, seed: 43)
            XCTAssertEqual(first.parameters.map(\.name), second.parameters.map(\.name))
            for (a, b) in zip(first.parameters, second.parameters) {
                XCTAssertEqual(a.value, b.value, "\(name): \(a.name) differs between two builds with seed 42")
            }
            // BatchNorm starts at gamma 1, beta 0 whatever the seed; every conv and linear weight must differ.
            for layerName in first.layerNames where !(first.namedLayers[layerName] is BatchNorm) {
                XCTAssertNotEqual(first.namedLayers[layerName]?.ownParameters.first?.value,
                                  other.namedLayers[layerName]?.ownParameters.first?.value, "\(name): seed 43 repeats \(layerName)")
            }
        }
    }

    func testInitializationFollowsModelsPy() throws {
        // ResNet: kaiming_normal_ (fan-in) for conv and linear weights: std sqrt(2 / fanIn).
        let resnet = try ModelZoo.build(name: "resnet56", seed: 9)
        let transition = try XCTUnwrap(resnet.namedLayers["layer3.0.conv1"] as? Conv2d)
        XCTAssertEqual(standardDeviation(transition.weight.value), (2.0 / Float(32 * 9)).squareRoot(), accuracy: 0.002)
        let classifier = try XCTUnwrap(resnet.namedLayers["fc"] as? Linear)
        XCTAssertEqual(standardDeviation(classifier.weight.value), (2.0 / 64).squareRoot(), accuracy: 0.02)
        let norm = try XCTUnwrap(resnet.namedLayers["layer2.4.bn2"] as? BatchNorm)
        XCTAssertEqual(norm.scale.value.scalars, [Float](repeating: 1, count: 32))
        XCTAssertEqual(norm.shift.value.scalars, [Float](repeating: 0, count: 32))
        // VGG, LeNet: PyTorch's default U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for conv weights and biases
        // (std bound / sqrt(3)).
        let vgg = try ModelZoo.build(name: "vgg11", seed: 9)
        let conv = try XCTUnwrap(vgg.namedLayers["feature.8"] as? Conv2d)
        let bound = 1 / Float(128 * 9).squareRoot()
        XCTAssertLessThanOrEqual(conv.weight.value.maxAbsolute(), bound)
        XCTAssertEqual(standardDeviation(conv.weight.value), bound / Float(3).squareRoot(), accuracy: bound * 0.02)
        let lenet = try XCTUnwrap(ModelZoo.build(name: "lenet5", seed: 9).namedLayers["conv2"] as? Conv2d)
        let bias = try XCTUnwrap(lenet.bias).value
        XCTAssertLessThanOrEqual(bias.maxAbsolute(), 1 / Float(20 * 25).squareRoot())
        XCTAssertGreaterThan(bias.maxAbsolute(), 0.5 / Float(20 * 25).squareRoot(), "conv bias is initialised, not zero")
    }

    func testTrainingStepReachesEveryParameter() throws {
        var resnet = ModelSpec.resNet(depth: 8, shortcut: .projection)
        try resnet.setWidth(of: "layer3", to: 24)
        var wide = ModelSpec.wideResNet(depth: 10, widthFactor: 1, dropoutProbability: 0.2)
        try wide.setWidth(of: "blocks.1.conv1", to: 5)
        var vgg = ModelSpec.vgg(depth: 11)
        for entry in vgg.widths { try vgg.setWidth(of: entry.name, to: entry.width / 8) }
        for spec in [resnet, wide, vgg, ModelSpec.leNet5(classic: true), .multilayerPerceptron(hiddenFeatures: [7])] {
            let model = try Model(spec: spec, seed: 4)
            let input = Variable(randomTensor([2] + spec.inputShape, seed: 8))
            let loss = try softmaxCrossEntropy(model(input, ForwardContext(training: true)), labels: [1, 3])
            try loss.backward()
            for parameter in model.parameters {
                let gradient = try XCTUnwrap(parameter.gradient, "\(spec.name): no gradient for \(parameter.name)")
                XCTAssertEqual(gradient.shape, parameter.shape, parameter.name)
                XCTAssertGreaterThan(gradient.maxAbsolute(), 0, "\(spec.name): zero gradient for \(parameter.name)")
            }
        }
    }

    func testCurrentSpecReadsWidthsNarrowedInPlace() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 1)
        let conv1 = try XCTUnwrap(model.namedLayers["layer1.1.conv1"] as? Conv2d)
        conv1.weight.value = Tensor(zeros: [12, 16, 3, 3])
        assertThrowsPruneKitError(["width 'layer1.1.conv1'", "layer1.1.bn1"]) { _ = try model.currentSpec() }
        let norm = try XCTUnwrap(model.namedLayers["layer1.1.bn1"] as? BatchNorm)
        norm.scale.value = Tensor(repeating: 1, shape: [12])
        norm.shift.value = Tensor(zeros: [12])
        norm.statistics.runningMean = Tensor(zeros: [12])
        norm.statistics.runningVariance = Tensor(repeating: 1, shape: [12])
        assertThrowsPruneKitError(["layer 'layer1.1.conv2' weight", "[16, 12, 3, 3]", "[16, 16, 3, 3]"]) { _ = try model.currentSpec() }
        let conv2 = try XCTUnwrap(model.namedLayers["layer1.1.conv2"] as? Conv2d)
        conv2.weight.value = Tensor(zeros: [16, 12, 3, 3])
        let pruned = try model.currentSpec()
        XCTAssertEqual(try pruned.width(of: "layer1.1.conv1"), 12)
        XCTAssertEqual(try model.cost().parameterCount, 269_722 - 4 * 16 * 9 - 2 * 4 - 16 * 4 * 9)
        let output = try GradientMode.withoutGradients {
            try model(Variable(randomTensor([2, 3, 32, 32], seed: 1)), ForwardContext(training: false))
        }
        XCTAssertEqual(output.shape, [2, 10])
    }

    func testForwardRejectsAWrongInputShape() throws {
        let model = try ModelZoo.build(name: "mlp", seed: 0)
        assertThrowsPruneKitError(["model mlp", "[N] + [1, 28, 28]", "[2, 784]"]) {
            _ = try model(Variable(Tensor(zeros: [2, 784])), ForwardContext(training: false))
        }
    }

    private func standardDeviation(_ tensor: Tensor) -> Float {
        let mean = tensor.mean()
        return (tensor.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(tensor.count)).squareRoot()
    }
}
