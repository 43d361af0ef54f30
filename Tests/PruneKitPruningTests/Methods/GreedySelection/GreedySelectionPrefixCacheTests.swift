import XCTest
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// The fast candidate evaluation of greedy selection (cached prefix up to the layer, gates on the cached slot, suffix
/// passes batched over candidates and threads) against the reference (layer scaled, whole forward pass per candidate).
final class GreedySelectionPrefixCacheTests: XCTestCase {
    /// Every eligible layer of ResNet-20 and VGG-11 has a gate point, and each candidate's loss from the prefix cache
    /// equals the full forward's with `ChannelGateScaling` to 1e-4 relative (30 images: tiles of 24 and 6, threaded).
    func testCandidateLossesEqualTheFullForwardPath() throws {
        for name in ["resnet20", "vgg11"] {
            let model = try ModelZoo.build(name: name, seed: 11)
            for batchNorm in model.namedLayers.values.compactMap({ $0 as? BatchNorm }) {
                batchNorm.statistics.runningMean = randomTensor([batchNorm.channels], seed: 12).map { $0 * 0.1 }
            }
            let images = randomTensor([30] + model.spec.inputShape, seed: 13)
            var generator = SplitMix64(seed: 14)
            let labels = (0..<30).map { _ in generator.nextInt(below: model.spec.classCount) }
            let session = try PruningSession(model: model, config: PruningConfig(), data: PruningData())
            let groups = GreedySelectionPruner.eligibleGroups(session.graph, model: model, config: session.config)
            XCTAssertFalse(groups.isEmpty)
            for groupName in groups {
                XCTAssertNotNil(GreedySelectionPruner.gatePoint(of: try session.graph.group(named: groupName), in: model), "\(name) \(groupName)")
            }
            // The first, a middle and the last eligible layer (each stage's width and resolution in both networks).
            for groupName in Set([groups[0], groups[groups.count / 2], groups[groups.count - 1]]).sorted() {
                let group = try session.graph.group(named: groupName), width = group.unitCount
                let step = try XCTUnwrap(GreedySelectionPruner.gatePoint(of: group, in: model), "\(name) \(groupName)")
                var gates = GreedyGateVector(width: width)
                gates.add(width / 2); gates.add(1)
                var candidates = [0, 2, width - 1].map { GreedyGateVector.multipliers(of: gates.adding($0)) }
                candidates.append([Float](repeating: 1, count: width))
                let prefix = try model.inferencePrefix(images, through: step)
                let fast = try model.inferenceSuffix(prefix, multipliers: candidates)
                    .map { try GreedySelectionPruner.loss(logits: $0, labels: labels) }
                let scaling = try ChannelGateScaling(group: group, model: model)
                for (index, multipliers) in candidates.enumerated() {
                    scaling.apply(multipliers)
                    let slow = try GreedySelectionPruner.loss(model, (images, labels))
                    scaling.restore()
                    XCTAssertEqual(fast[index], slow, accuracy: 1e-4 * abs(slow), "\(name) \(groupName) candidate \(index)")
                }
            }
        }
    }

    /// One layer's selection picks the same channels on both paths (ResNet-20's and VGG-11's first eligible layer, and
    /// LeNet-5's, whose convolutions have no BatchNorm: the gates then scale the filters).
    func testSelectionPicksTheSameChannelsOnBothPaths() throws {
        for name in ["resnet20", "vgg11", "lenet5"] {
            var selections: [[Int]] = []
            for usesPrefixCache in [false, true] {
                let model = try ModelZoo.build(name: name, seed: 21)
                var generator = SplitMix64(seed: 22)
                let perImage = model.spec.inputShape.reduce(1, *)
                let batches = try (0..<3).map { _ in
                    (images: try Tensor(shape: [32] + model.spec.inputShape, scalars: (0..<(32 * perImage)).map { _ in generator.nextUniform() }),
                     labels: (0..<32).map { _ in generator.nextInt(below: model.spec.classCount) })
                }
                var config = PruningConfig()
                config.target = .flopsRatio(0.5)
                (config.greedySelection.candidateCount, config.greedySelection.evaluationImages, config.greedySelection.tolerance) = (6, 32, 0)
                let session = try PruningSession(model: model, config: config, data: PruningData(training: TensorBatches(batches)))
                let pruner = GreedySelectionPruner()
                pruner.usesPrefixCache = usesPrefixCache
                try pruner.prepare(session)
                let pending = try XCTUnwrap(session.runState(of: GreedySelectionPruner.RunState.self)?.pending)
                selections.append(pending.gates.selected)
            }
            XCTAssertFalse(selections[0].isEmpty, name)
            XCTAssertEqual(selections[0], selections[1], name)
        }
    }
}
