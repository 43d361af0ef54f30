import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// A tiny network (two convs, BN, ReLU, pool, linear) must memorise 64 fixed random samples, and the
/// same seed must give bit-identical weights twice.
final class OverfitTests: XCTestCase {
    private func makeNetwork(seed: UInt64) -> Sequential {
        var generator = SplitMix64(seed: seed)
        return Sequential([
            Conv2d(name: "conv1", inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1, generator: &generator),
            BatchNorm(name: "bn1", channels: 8), ReLU(), MaxPool(kernelSize: 2),
            Conv2d(name: "conv2", inputChannels: 8, outputChannels: 16, kernelSize: 3, stride: 2, padding: 1, generator: &generator),
            BatchNorm(name: "bn2", channels: 16), ReLU(), Flatten(),
            Linear(name: "fc", inputFeatures: 16 * 2 * 2, outputFeatures: 4, generator: &generator),
        ])
    }

    private func train(seed: UInt64, steps: Int) throws -> (network: Sequential, accuracy: Float, loss: Float) {
        let network = makeNetwork(seed: seed)
        var generator = SplitMix64(seed: 1000)
        let images = Variable(Tensor.normal(shape: [64, 3, 8, 8], generator: &generator))
        let labels = (0..<64).map { _ in generator.nextInt(below: 4) }
        let optimizer = try SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4)
        let context = ForwardContext(training: true)
        var lastLoss: Float = .infinity
        for _ in 0..<steps {
            network.zeroGradients()
            let loss = try softmaxCrossEntropy(network(images, context), labels: labels)
            try loss.backward()
            optimizer.step(network.parameters)
            lastLoss = loss.value[flat: 0]
        }
        let logits = try GradientMode.withoutGradients { try network(images, ForwardContext(training: false)) }
        let correct = zip(logits.value.argmaxRows(), labels).filter { $0 == $1 }.count
        return (network, Float(correct) / 64, lastLoss)
    }

    func testTinyNetworkMemorisesSixtyFourSamples() throws {
        let result = try train(seed: 7, steps: 300)
        XCTAssertLessThan(result.loss, 0.05, "training loss after 300 steps")
        XCTAssertEqual(result.accuracy, 1, "eval-mode accuracy on the 64 training samples")
    }

    func testSameSeedGivesBitIdenticalWeights() throws {
        let first = try train(seed: 3, steps: 20).network.parameters
        let second = try train(seed: 3, steps: 20).network.parameters
        XCTAssertEqual(first.map(\.name), second.map(\.name))
        for (a, b) in zip(first, second) { XCTAssertEqual(a.value, b.value, "parameter \(a.name) differs between runs") }
        let other = try train(seed: 4, steps: 20).network.parameters
        XCTAssertNotEqual(first[0].value, other[0].value, "a different seed must give different weights")
    }
}
