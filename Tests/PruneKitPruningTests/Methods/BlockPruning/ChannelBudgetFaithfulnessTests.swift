import XCTest
import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning
import PruneKitTestSupport

/// bpcp.md "Tests that show the implementation is faithful", 6-7 (coupled CP, the budget), and BPCP end to end
/// through `PruningPipeline`.
final class ChannelBudgetFaithfulnessTests: XCTestCase {
    private func batchNorm(_ model: Model, _ name: String) -> BatchNorm { model.namedLayers[name] as! BatchNorm }

    private func data(_ spec: ModelSpec, batches: Int) -> TensorBatches {
        TensorBatches((0..<batches).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(40 + $0)),
                                           NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64(50 + $0))) })
    }

    /// Test 6: a stream unit's importance is the element-wise max of its BNs' |gamma|; pruning stream channel c
    /// removes it from the projection, both conv3 outputs, the readers' BNs and convs and the FC columns.
    func testStreamImportanceIsTheMaxOfItsBatchNormsAndPruningItCutsEveryMember() throws {
        let model = try Model(spec: .resNetV2(depth: 20), seed: 1)
        NetworkFixtures.randomizeBatchNorms(model, seed: 2)
        batchNorm(model, "layer3.1.bn1").scale.value = try Tensor(shape: [256], scalars: (0..<256).map { Float($0) - 100 })
        batchNorm(model, "bn").scale.value = try Tensor(shape: [256], scalars: (0..<256).map { Float(255 - $0) * 0.5 })
        let graph = try DependencyGraph(model: model)
        let stream = try graph.group(named: "layer3")
        let scores = try XCTUnwrap(try BatchNormScaleImportance(reduction: .max).scores(for: stream, in: model))
        let expected = (0..<256).map { max(abs(Float($0) - 100), Float(255 - $0) * 0.5) }
        XCTAssertEqual(scores, expected)
        let weakest = try XCTUnwrap(expected.indices.min { expected[$0] < expected[$1] })
        XCTAssertEqual(weakest, 151, "max(51, 52) = 52: neither BN alone would pick it (channel 100 has gamma 0 in bn1)")
        XCTAssertEqual(ChannelBudgetSelection.select(groups: [stream], scores: ["layer3": scores], percent: 1.0 / 512), ["layer3": [151]])
        let fc = (model.namedLayers["fc"] as! Linear).weight.value
        try ChannelSurgery.remove(["layer3": [weakest]], graph: graph, from: model)
        for name in ["layer3.0.conv3", "layer3.0.downsample.0", "layer3.1.conv3"] {
            XCTAssertEqual((model.namedLayers[name] as! Conv2d).outputChannels, 255, name)
        }
        XCTAssertEqual(batchNorm(model, "layer3.1.bn1").channels, 255)
        XCTAssertEqual(batchNorm(model, "bn").channels, 255)
        XCTAssertEqual((model.namedLayers["layer3.1.conv1"] as! Conv2d).inputChannels, 255)
        let prunedFC = (model.namedLayers["fc"] as! Linear).weight.value
        XCTAssertEqual(prunedFC.shape, [10, 255])
        XCTAssertEqual(prunedFC.scalars[151], fc.scalars[152], "column 151 went, 152 moved up")
        XCTAssertEqual(prunedFC.scalars[150], fc.scalars[150])
        XCTAssertEqual(batchNorm(model, "layer3.1.bn1").scale.value.scalars[151], 52, "gamma of channel 152 moved up")
        XCTAssertEqual(try NetworkFixtures.logits(model, NetworkFixtures.images(for: model.spec, count: 2, seed: 3), training: false).shape, [2, 10])
    }

    /// Test 7: removed BN channels (each member of a group counted) = int(total * percent), up to the last pick's
    /// group size - 1; no layer is emptied, and the unit a group keeps is its most important.
    func testBudgetCountsBatchNormChannelsAndNeverEmptiesALayer() throws {
        let model = try Model(spec: .resNetV2(depth: 20), seed: 4)
        NetworkFixtures.randomizeBatchNorms(model, seed: 5)
        let graph = try DependencyGraph(model: model)
        let scores = try graph.groups.reduce(into: [String: [Float]]()) {
            $0[$1.name] = try BatchNormScaleImportance(reduction: .max).scores(for: $1, in: model)
        }
        let total = model.layerNames.compactMap { model.namedLayers[$0] as? BatchNorm }.reduce(0) { $0 + $1.channels }
        XCTAssertEqual(ChannelBudgetSelection.budget(groups: graph.groups, scores: scores, percent: 0.3), Int(Double(total) * 0.3))
        let removals = ChannelBudgetSelection.select(groups: graph.groups, scores: scores, percent: 0.3)
        let removed = graph.groups.reduce(0) { sum, group in
            sum + (removals[group.name] ?? []).reduce(0) { $0 + ChannelBudgetSelection.batchNormChannels(of: group)[$1] }
        }
        XCTAssertGreaterThanOrEqual(removed, Int(Double(total) * 0.3))
        XCTAssertLessThanOrEqual(removed, Int(Double(total) * 0.3) + 1, "streams have 2 BNs: overshoot at most 1")
        // Everything below the largest removed score went (global greedy order).
        let largestRemoved = removals.flatMap { name, units in units.map { scores[name]![$0] } }.max()!
        for group in graph.groups {
            for (unit, score) in scores[group.name]!.enumerated() where score < largestRemoved {
                XCTAssertTrue(removals[group.name]?.contains(unit) ?? false, "\(group.name) unit \(unit)")
            }
        }
        let almostAll = ChannelBudgetSelection.select(groups: graph.groups, scores: scores, percent: 0.999)
        for group in graph.groups {
            let units = almostAll[group.name] ?? []
            XCTAssertEqual(units.count, group.unitCount - 1, group.name)
            let kept = Set(0..<group.unitCount).subtracting(units).first!
            XCTAssertEqual(scores[group.name]![kept], scores[group.name]!.max(), group.name)
        }
        try ChannelSurgery.remove(almostAll, graph: graph, from: model)
        XCTAssertEqual(try NetworkFixtures.logits(model, NetworkFixtures.images(for: model.spec, count: 2, seed: 6), training: false).shape, [2, 10])
    }

    /// The whole method: search, block removal (the caller's model object takes the compact architecture),
    /// fine-tuning, CP at the budget; the result saves, loads and evaluates to the same logits.
    func testPipelineRemovesBlocksInPlaceThenPrunesChannelsAndTheCheckpointRoundTrips() throws {
        let spec = ModelSpec.resNetV2(depth: 20)
        let model = try Model(spec: spec, seed: 7)
        var config = PruningConfig()
        config.target = .channelRatio(0.2)
        (config.blockPruning.searchEpochs, config.blockPruning.blockFineTuningEpochs, config.blockPruning.gatePenalty) = (3, 1, 2)
        let denseBatchNorm = model.layerNames.compactMap { model.namedLayers[$0] as? BatchNorm }.reduce(0) { $0 + $1.channels }
        let report = try PruningPipeline.run(model: model, method: "bpcp", config: config,
                                             data: PruningData(training: data(spec, batches: 2), evaluation: data(spec, batches: 1)))
        let result = try XCTUnwrap(report.results[BlockPruningResult.self])
        XCTAssertEqual(result.blocks, 6)
        XCTAssertEqual(result.gateDraws, 3 * 2 + 1)
        let removedBlocks = try XCTUnwrap(result.removedBlocks)
        XCTAssertGreaterThan(removedBlocks, 0, "gamma 2 outweighs the loss gradient: some gate goes off")
        XCTAssertEqual(model.spec.family, .graph)
        XCTAssertEqual(model.graph.residualJoins.count, 6 - removedBlocks)
        let batchNormChannels = model.layerNames.compactMap { model.namedLayers[$0] as? BatchNorm }.reduce(0) { $0 + $1.channels }
        XCTAssertLessThan(batchNormChannels, denseBatchNorm * 8 / 10, "blocks and then 20% of what remained")
        XCTAssertEqual(report.parametersAfter, model.parameterCount)
        XCTAssertTrue(report.layers.contains { $0.widthAfter == 0 && $0.parametersAfter == 0 }, "removed layers report 0")
        let restored = try checkpointRoundTrip(model)
        let images = NetworkFixtures.images(for: spec, count: 2, seed: 8)
        XCTAssertEqual(try NetworkFixtures.logits(restored, images, training: false), try NetworkFixtures.logits(model, images, training: false))
    }

    /// With no search (every alpha 0: all blocks kept) a FLOPs target is met by CP alone; with `--ratio 0` nothing
    /// changes (block pruning alone, here with nothing to remove).
    func testFlopsTargetIsMetByChannelPruningAndRatioZeroIsBlockPruningAlone() throws {
        let spec = ModelSpec.resNetV2(depth: 20)
        for (target, flopsBound) in [(PruningTarget.flopsRatio(0.6), 0.6), (.channelRatio(0), 1.0)] {
            let model = try Model(spec: spec, seed: 9)
            NetworkFixtures.randomizeBatchNorms(model, seed: 10)
            var config = PruningConfig()
            config.target = target
            (config.blockPruning.searchEpochs, config.blockPruning.blockFineTuningEpochs) = (0, 0)
            let report = try PruningPipeline.run(model: model, method: "bpcp", config: config, data: PruningData())
            XCTAssertEqual(report.results[BlockPruningResult.self]?.removedBlocks, 0)
            XCTAssertLessThanOrEqual(report.flopsRatio, flopsBound, "\(target)")
            if flopsBound == 1 { XCTAssertEqual(report.flopsAfter, report.flopsBefore) } else { XCTAssertGreaterThan(report.flopsRatio, 0.5) }
        }
    }
}
