import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// Evaluation without gradients folds batch norm into convolutions and fuses residual adds and ReLUs
/// (`Conv2d.inference`); evaluation with gradients on runs the separate ops. Both must give the same logits,
/// with non-trivial running statistics and affine parameters so that the folding is exercised.
final class InferenceFusionTests: XCTestCase {
    func testFusedInferenceMatchesSeparateOps() throws {
        for name in ["resnet20", "resnet20-b", "wrn-10-2", "vgg11", "lenet5-classic"] {
            try forEachConvolutionAlgorithm { algorithm in
                let model = try ModelZoo.build(name: name, seed: 3)
                randomizeBatchNorms(model)
                let input = Variable(randomTensor([3] + model.spec.inputShape, seed: 4))
                let context = ForwardContext(training: false)
                let separate = try model(input, context).value
                let fused = try GradientMode.withoutGradients { try model(input, context).value }
                let scale = max(separate.maxAbsolute(), 1)
                assertClose(fused, separate.scalars, shape: separate.shape, relative: 1e-4, absolute: 1e-4 * scale,
                            "\(name) \(algorithm)")
            }
        }
    }

    func testInferenceRefusesToRunWhileRecordingGradients() throws {
        let x = Variable(randomTensor([1, 2, 4, 4], seed: 1), requiresGradient: true)
        assertThrowsPruneKitError(["conv2dInference", "withoutGradients"]) {
            _ = try conv2dInference(x, weight: randomTensor([3, 2, 3, 3], seed: 2), bias: nil, stride: 1, padding: 1,
                                    batchNorm: nil, residual: nil, relu: true)
        }
    }

    private func randomizeBatchNorms(_ model: Model) {
        var generator = SplitMix64(seed: 9)
        for case let batchNorm as BatchNorm in model.namedLayers.values {
            let shape = [batchNorm.channels]
            batchNorm.scale.value = Tensor.uniform(shape: shape, low: 0.5, high: 1.5, generator: &generator)
            batchNorm.shift.value = Tensor.uniform(shape: shape, low: -0.5, high: 0.5, generator: &generator)
            batchNorm.statistics.runningMean = Tensor.uniform(shape: shape, low: -0.3, high: 0.3, generator: &generator)
            batchNorm.statistics.runningVariance = Tensor.uniform(shape: shape, low: 0.5, high: 2, generator: &generator)
        }
    }
}
