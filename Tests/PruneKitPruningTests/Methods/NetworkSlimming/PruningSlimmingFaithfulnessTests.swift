import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// baselines.md's faithfulness tests for network slimming (Liu et al., ICCV 2017).
final class PruningSlimmingFaithfulnessTests: XCTestCase {
    /// gamma.grad += lambda sign(gamma): gamma = [0.5, -0.2, 0] -> +[lambda, -lambda, 0].
    func testSlimmingSubgradient() throws {
        let model = try Model(spec: .resNet(depth: 8), seed: 1)
        let norm = model.namedLayers["bn1"] as! BatchNorm
        norm.scale.value = Tensor(repeating: 0, shape: [16])
        norm.scale.value[0] = 0.5; norm.scale.value[1] = -0.2
        norm.scale.gradient = Tensor(repeating: 1, shape: [16])
        try BatchNormSparsityHook(penalty: 1e-4).afterBackward(TrainingContext(model: model, optimizer: try SGD(learningRate: 0)))
        XCTAssertEqual(Array(norm.scale.gradient!.scalars.prefix(3)), [1 + 1e-4, 1 - 1e-4, 1])
    }

    /// |gamma| = [0.1, 0.5, 0.05, 0.3], percent 0.5 -> thr = sorted[2] = 0.3, keep only 0.5 (int(4 * 0.5) + 1 pruned),
    /// and the compact net reproduces the masked net whose pruned channels have gamma = beta = 0.
    func testSlimmingThresholdAndCompactEquivalence() throws {
        var spec = ModelSpec.vgg(depth: 11)
        for index in spec.widths.indices { spec.widths[index].width = 4 }
        let model = try Model(spec: spec, seed: 5)
        NetworkFixtures.randomizeBatchNorms(model, seed: 6)
        let norm = model.namedLayers["feature.1"] as! BatchNorm
        norm.scale.value = try Tensor(shape: [4], scalars: [0.1, 0.5, 0.05, 0.3])
        var config = PruningConfig()
        (config.target, config.ignored) = (.channelRatio(0.5), spec.widths.map(\.name).filter { $0 != "feature.0" })
        config.slimming.training.epochs = 0
        let masked = try model.copy(), maskedNorm = masked.namedLayers["feature.1"] as! BatchNorm
        for channel in [0, 2, 3] { maskedNorm.scale.value[channel] = 0; maskedNorm.shift.value[channel] = 0 }
        let images = NetworkFixtures.images(for: spec, count: 2, seed: 7)
        let expected = try NetworkFixtures.logits(masked, images, training: false)
        _ = try PruningPipeline.run(model: model, method: "slimming", config: config, data: PruningData())
        XCTAssertEqual(norm.scale.value.scalars, [0.5], "only |gamma| > 0.3 stays")
        XCTAssertLessThanOrEqual(NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false), expected), 1e-5)
    }
}
