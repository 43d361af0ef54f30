import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// baselines.md section 1: magnitude pruning with masks (Han et al., NeurIPS 2015).
final class PruningMagnitudeTests: XCTestCase {
    /// 90% of a 1000-weight layer: exactly 900 zeros, still 900 after 10 masked SGD steps with momentum and decay.
    func testMagnitudeMaskCountSurvivesTraining() throws {
        let model = try Model(spec: .multilayerPerceptron(hiddenFeatures: [10], inputShape: [1, 10, 10], classCount: 3), seed: 1)
        let data = TensorBatches((0..<10).map { (NetworkFixtures.images(for: model.spec, count: 4, seed: UInt64($0)),
                                                 NetworkFixtures.labels(count: 4, classes: 3, seed: UInt64($0))) })
        var config = PruningConfig()
        (config.target, config.ignored) = (.channelRatio(0.9), ["layers.1"])
        let session = try PruningSession(model: model, config: config, data: PruningData(training: data))
        try PruningPipeline.prune(session, with: MagnitudeWeightPruner())
        let weight = (model.namedLayers["layers.0"] as! Linear).weight
        XCTAssertEqual(weight.value.scalars.filter { $0 == 0 }.count, 900)
        var recipe = TrainConfig()
        (recipe.epochs, recipe.learningRate, recipe.momentum, recipe.weightDecay) = (1, 0.1, 0.9, 5e-4)
        try session.train(TrainingPhase(name: "retraining", config: recipe))
        XCTAssertEqual(weight.value.scalars.filter { $0 == 0 }.count, 900)
        XCTAssertTrue((model.namedLayers["layers.1"] as! Linear).weight.value.scalars.allSatisfy { $0 != 0 }, "ignored layer stays dense")
    }
}
