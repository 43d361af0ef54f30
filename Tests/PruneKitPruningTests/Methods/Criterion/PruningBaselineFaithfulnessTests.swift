import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// baselines.md's faithfulness tests for L1-norm filter pruning (Li et al.) and MLP neuron pruning.
final class PruningBaselineFaithfulnessTests: XCTestCase {
    /// ResNet-56-A and -B width lists (stage widths x 0.9 -> 14/28/57 for the block-first convs not skipped).
    func testLiEtAlResNet56Widths() throws {
        for variant in [PruningConfig.LiEtAlVariant.a, .b] {
            let model = try Model(spec: .resNet(depth: 56), seed: 1)
            let config = try PruningConfig.liEtAl(resNetDepth: 56, variant: variant)
            let report = try PruningPipeline.run(model: model, method: "l1", config: config, data: PruningData())
            let spec = try model.currentSpec()
            let skipped: Set<Int> = variant == .a ? [16, 20, 38, 54] : [16, 18, 20, 34, 38, 54]
            let pruned = variant == .a ? [14, 28, 57] : [6, 22, 57]
            for index in 0..<27 {
                let name = "layer\(index / 9 + 1).\(index % 9).conv1", full = 16 << (index / 9)
                XCTAssertEqual(try spec.width(of: name), skipped.contains(2 + 2 * index) ? full : pruned[index / 9], "\(variant) \(name)")
            }
            XCTAssertEqual(try (1...3).map { try spec.width(of: "layer\($0)") }, [16, 32, 64], "streams untouched")
            XCTAssertLessThan(report.flopsAfter, report.flopsBefore)
        }
    }

    func testLiEtAlVGG16PrunedAWidths() throws {
        let model = try Model(spec: .vgg(depth: 16), seed: 1)
        _ = try PruningPipeline.run(model: model, method: "l1", config: .liEtAlVGG16(), data: PruningData())
        XCTAssertEqual(try model.currentSpec().widths.map(\.width), [32, 64, 128, 128, 256, 256, 256, 256, 256, 256, 256, 256, 256, 512])
    }

    /// Removing filter j (and the next layer's input channel j) gives the masked dense net's logits when the
    /// removed BN channel's eval output is <= 0 before the ReLU.
    func testCompactVGGEqualsMaskedNetWhenTheBatchNormConstantIsNotPositive() throws {
        var spec = ModelSpec.vgg(depth: 11)
        for index in spec.widths.indices { spec.widths[index].width = 8 }
        let model = try Model(spec: spec, seed: 2)
        NetworkFixtures.randomizeBatchNorms(model, seed: 3)
        let conv = model.namedLayers["feature.4"] as! Conv2d, norm = model.namedLayers["feature.5"] as! BatchNorm
        let filter = 3
        conv.weight.value.withUnsafeMutableBufferPointer { w in for i in 0..<(8 * 9) { w[filter * 72 + i] = 0 } }
        norm.shift.value[filter] = -0.3  // eval output of a zero filter: beta - gamma * mu / sigma = -0.3 <= 0
        norm.statistics.runningMean[filter] = 0
        let images = NetworkFixtures.images(for: spec, count: 2, seed: 4)
        let masked = try NetworkFixtures.logits(model, images, training: false)
        try ChannelSurgery.remove(["feature.4": [filter]], graph: DependencyGraph(model: model), from: model)
        XCTAssertLessThanOrEqual(NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false), masked), 1e-5)
    }

    /// baselines.md section 4: removing neuron j equals zeroing row j of W_l and b_l[j]; shapes shrink together.
    func testMLPNeuronRemovalEqualsZeroedRow() throws {
        let model = try Model(spec: .multilayerPerceptron(hiddenFeatures: [10, 6], inputShape: [1, 3, 3], classCount: 4), seed: 9)
        let zeroed = try model.copy(), layer = zeroed.namedLayers["layers.0"] as! Linear
        for j in [2, 7] {
            for i in 0..<9 { layer.weight.value[j, i] = 0 }
            layer.bias!.value[j] = 0
        }
        try ChannelSurgery.remove(["layers.0": [2, 7]], graph: DependencyGraph(model: model), from: model)
        XCTAssertEqual((model.namedLayers["layers.0"] as! Linear).weight.shape, [8, 9])
        XCTAssertEqual((model.namedLayers["layers.1"] as! Linear).weight.shape, [6, 8])
        let images = NetworkFixtures.images(for: model.spec, count: 3, seed: 1)
        XCTAssertLessThanOrEqual(NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false),
                                                                    try NetworkFixtures.logits(zeroed, images, training: false)), 1e-6)
    }
}
