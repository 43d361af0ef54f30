import XCTest
import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// `--sfp-residual per-conv`, the paper's form of SFP on ResNets (He et al., IJCAI 2018): stream-writing convs are
/// ranked alone and the compact model keeps the stream full width with channel scatters.
final class PruningSoftFilterPerConvolutionTests: XCTestCase {
    private func data(_ spec: ModelSpec) -> TensorBatches {
        TensorBatches((0..<2).map { (NetworkFixtures.images(for: spec, count: 4, seed: UInt64(10 + $0)),
                                     NetworkFixtures.labels(count: 4, classes: 10, seed: UInt64($0))) })
    }

    private func logits(_ model: Model, _ input: Variable) throws -> Tensor {
        try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }.value
    }

    private func perConvolutionConfig(ignoringBlockInternal model: Model) throws -> PruningConfig {
        var config = PruningConfig()
        (config.target, config.softFilter.epochs, config.softFilter.residual) = (.channelRatio(0.3), 0, .perConvolution)
        config.ignored = try DependencyGraph(model: model).groups.filter { $0.kind == .layer }.map(\.name)
        return config
    }

    func testDefaultIsTheStreamForm() {
        XCTAssertEqual(SoftFilterPruner.Settings().residual, .stream)
        let legacy = #"{"epochs": 3, "interval": 1, "learningRate": 0.01, "weightDecay": 0.0005}"#
        XCTAssertEqual(try JSONDecoder().decode(SoftFilterPruner.Settings.self, from: Data(legacy.utf8)).residual, .stream)
    }

    /// Each stream conv loses floor(N P) of its own filters; the hard prune equals the masked model (eval mode, random
    /// BN statistics), keeps every stream at full width, and round-trips through a checkpoint.
    func testPerConvolutionMasksEachConvAloneAndHardPruneEqualsMaskedModel() throws {
        for shortcut in ["A", "B"] {
            let spec = ModelSpec.resNet(depth: 8, shortcut: shortcut == "A" ? .zeroPadding : .projection)
            let model = try Model(spec: spec, seed: 4)
            for (offset, norm) in model.namedLayers.values.compactMap({ $0 as? BatchNorm }).enumerated() {
                let base = UInt64(100 + 4 * offset)
                norm.shift.value = randomTensor([norm.channels], seed: base).map { 0.5 * $0 }
                norm.statistics.runningMean = randomTensor([norm.channels], seed: base + 1).map { 0.5 * $0 }
            }
            let config = try perConvolutionConfig(ignoringBlockInternal: model)
            let session = try PruningSession(model: model, config: config, data: PruningData(training: data(spec)))
            let pruner = SoftFilterPruner()
            XCTAssertNil(try pruner.trainingPhase(session))
            let plan = try pruner.plan(session)
            let counts = try XCTUnwrap(session.runState(of: SoftFilterMaskHook.self)?.counts)
            XCTAssertEqual(counts.filter { $0.value > 0 }, ["conv1": 4, "layer1.0.conv2": 4, "layer2.0.conv2": 9, "layer3.0.conv2": 19], shortcut)
            XCTAssertTrue(plan.removals.isEmpty, shortcut)
            XCTAssertEqual(Set(plan.scatters.keys), ["bn1", "layer1.0.bn2", "layer2.0.bn2", "layer3.0.bn2"], shortcut)
            let input = Variable(NetworkFixtures.images(for: spec, count: 3, seed: 9))
            let masked = try logits(model, input)
            let denseFlops = try model.cost().flops
            try session.apply(plan)
            XCTAssertEqual((model.namedLayers["layer3.0.conv2"] as? Conv2d)?.outputChannels, 64 - 19, shortcut)
            XCTAssertEqual((model.namedLayers["layer3.0.bn2_scatter"] as? ChannelScatter)?.outputChannels, 64, shortcut)
            XCTAssertEqual((model.namedLayers["fc"] as? Linear)?.inputFeatures, 64, "the stream stays full width (\(shortcut))")
            XCTAssertLessThan(try model.cost().flops, denseFlops, shortcut)
            assertClose(try logits(model, input), masked.scalars, relative: 1e-5, absolute: 1e-5)
            XCTAssertEqual(try logits(checkpointRoundTrip(model), input), try logits(model, input), shortcut)
        }
    }

    func testPerConvolutionNeedsARatioAndRunsThroughThePipeline() throws {
        let model = try Model(spec: ModelSpec.resNet(depth: 8), seed: 5)
        var config = PruningConfig()
        (config.target, config.softFilter.epochs, config.softFilter.residual) = (.flopsRatio(0.5), 1, .perConvolution)
        assertThrowsPruneKitError(["per-conv", "--ratio"]) {
            _ = try PruningPipeline.run(model: model, method: "sfp", config: config, data: PruningData(training: self.data(model.spec)))
        }
        config.target = .channelRatio(0.3)
        _ = try PruningPipeline.run(model: model, method: "sfp", config: config, data: PruningData(training: data(model.spec)))
        XCTAssertNotNil(model.namedLayers["layer2.0.bn2_scatter"] as? ChannelScatter)
        XCTAssertEqual((model.namedLayers["layer1.0.conv1"] as? Conv2d)?.outputChannels, 12, "block-internal layers pruned as before")
        XCTAssertEqual(try JSONDecoder().decode(PruningConfig.self, from: JSONEncoder().encode(config)).softFilter.residual, .perConvolution)
    }
}
