import XCTest
import PruneKitCore
import PruneKitNetworks

/// Shared helpers for tests of networks and of what acts on them: random BatchNorm state, seeded images and
/// labels, forward passes, small specs of every family.
package enum NetworkFixtures {
    /// Gives every BatchNorm random gamma, beta and running statistics so that removed channels would matter.
    package static func randomizeBatchNorms(_ model: Model, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        for case let norm as BatchNorm in model.layerNames.compactMap({ model.namedLayers[$0] }) {
            let count = norm.channels
            norm.scale.value = Tensor.uniform(shape: [count], low: 0.5, high: 1.5, generator: &generator)
            norm.shift.value = Tensor.uniform(shape: [count], low: -0.5, high: 0.5, generator: &generator)
            norm.statistics.runningMean = Tensor.uniform(shape: [count], low: -0.2, high: 0.2, generator: &generator)
            norm.statistics.runningVariance = Tensor.uniform(shape: [count], low: 0.5, high: 2, generator: &generator)
        }
    }

    /// Logits of `model` for `images` in train or eval mode, with the tape off.
    package static func logits(_ model: Model, _ images: Tensor, training: Bool) throws -> Tensor {
        try GradientMode.withoutGradients { try model(Variable(images), ForwardContext(training: training)).value }
    }

    /// A seeded batch [count] + spec.inputShape.
    package static func images(for spec: ModelSpec, count: Int, seed: UInt64) -> Tensor {
        var generator = SplitMix64(seed: seed)
        return Tensor.normal(shape: [count] + spec.inputShape, generator: &generator)
    }

    /// Seeded random labels.
    package static func labels(count: Int, classes: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in generator.nextInt(below: classes) }
    }

    /// Largest |a - b| relative to max(1, max |b|).
    package static func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
        let scale = max(1, b.maxAbsolute())
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    /// Small specs of every family (fast to build and run).
    package static var smallSpecs: [ModelSpec] {
        [.multilayerPerceptron(hiddenFeatures: [12, 8], inputShape: [1, 6, 6], classCount: 4),
         .leNet5(), .leNet5(classic: true),
         .vgg(depth: 11, inputShape: [3, 32, 32]),
         .resNet(depth: 8), .resNet(depth: 8, shortcut: .projection), .resNet(depth: 20),
         .wideResNet(depth: 10, widthFactor: 1), .wideResNet(depth: 10, widthFactor: 2)]
    }
}
