import XCTest
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// The seven faithfulness tests of greedy.md ("Tests that show the implementation is faithful").
final class GreedySelectionFaithfulnessTests: XCTestCase {
    /// Test 1: after k additions (no repeats) k entries are exactly 1/k, the rest 0; multipliers N/k.
    func testGatesAreUniformOverTheSelectedSet() {
        var gates = GreedyGateVector(width: 7)
        for (k, channel) in [4, 0, 6, 2, 5].enumerated() {
            gates.add(channel)
            let count = k + 1
            for index in 0..<7 {
                XCTAssertEqual(gates.values[index], gates.selected.contains(index) ? 1 / Double(count) : 0, accuracy: 1e-7)
                XCTAssertEqual(gates.multipliers[index], gates.selected.contains(index) ? Float(7) / Float(count) : 0, accuracy: 1e-6)
            }
        }
    }

    /// Test 4: the second pick gives 1/2 and 1/2, the third 1/3 each (the first pick is e_j, eta = 1).
    func testStepSizes() {
        var gates = GreedyGateVector(width: 5)
        gates.add(3)
        XCTAssertEqual(gates.values, [0, 0, 0, 1, 0])
        gates.add(1)
        XCTAssertEqual(gates.values, [0, 0.5, 0, 0.5, 0])
        gates.add(4)
        for index in [1, 3, 4] { XCTAssertEqual(gates.values[index], 1.0 / 3, accuracy: 1e-12) }
        XCTAssertEqual(gates.step, 0.25)
    }

    /// Test 5: candidates are a subset of P \ S of size min(K, |P \ S|) without repeats, reproducible by seed.
    func testCandidatesAreSampledWithoutReplacementReproducibly() {
        let pool = [0, 2, 3, 5, 7, 8, 9]
        for count in [0, 3, 7] {
            var first = SplitMix64(seed: 9), second = SplitMix64(seed: 9)
            let drawn = GreedyLayerSelection.sample(count, from: pool, &first)
            XCTAssertEqual(drawn.count, count)
            XCTAssertEqual(Set(drawn).count, count)
            XCTAssertTrue(Set(drawn).isSubset(of: pool))
            XCTAssertEqual(drawn, GreedyLayerSelection.sample(count, from: pool, &second))
        }
    }

    /// Test 3: a tiny two-layer ReLU regression net (N = 6, MSE). With targets made by the subnet S = {3}, the first
    /// pick is 3 with loss 0; with random targets it is the brute-force argmin over all channels.
    func testFirstPickIsTheArgminOfTheLoss() throws {
        let (inputs, hidden) = (randomTensor([16, 3], seed: 1).scalars, randomTensor([6, 3], seed: 2).scalars)
        let output = randomTensor([6], seed: 3).scalars
        func activations(_ n: Int) -> [Float] { (0..<6).map { j in max(0, (0..<3).reduce(Float(0)) { $0 + hidden[j * 3 + $1] * inputs[n * 3 + $1] }) } }
        func predict(_ multipliers: [Float]) -> [Float] {
            (0..<16).map { n in let h = activations(n); return (0..<6).reduce(Float(0)) { $0 + output[$1] * multipliers[$1] * h[$1] } }
        }
        for targets in [predict([0, 0, 0, 6, 0, 0]), randomTensor([16], seed: 4).scalars] {
            func loss(_ multipliers: [Float]) -> Float {
                zip(predict(multipliers), targets).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 16
            }
            var losses: [Float] = []
            let evaluations = GreedyLayerSelection.Evaluations(nextBatch: {}, batchLoss: { let value = loss($0); losses.append(value); return value },
                                                              batchAccuracy: { _ in 1 }, evaluationAccuracy: { _ in 1 })
            var generator = SplitMix64(seed: 5)
            let outcome = try GreedyLayerSelection(candidateCount: 6, tolerance: 0.5, slack: 0.5, maximumKept: nil)
                .select(width: 6, evaluations: evaluations, generator: &generator)
            let bruteForce = (0..<6).min { loss(single($0)) < loss(single($1)) }!
            XCTAssertEqual(outcome.gates.selected, [bruteForce])
            XCTAssertEqual(losses.min(), loss(single(bruteForce)))
        }
        XCTAssertEqual(try firstPick(targetsFromChannel: 3), 3)
        func firstPick(targetsFromChannel channel: Int) throws -> Int {
            let targets = predict(single(channel))
            var generator = SplitMix64(seed: 6)
            let evaluations = GreedyLayerSelection.Evaluations(nextBatch: {}, batchLoss: { m in zip(predict(m), targets).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } },
                                                              batchAccuracy: { _ in 1 }, evaluationAccuracy: { _ in 1 })
            let outcome = try GreedyLayerSelection(candidateCount: 6, tolerance: 0.5, slack: 0.5, maximumKept: nil)
                .select(width: 6, evaluations: evaluations, generator: &generator)
            return outcome.gates.selected[0]
        }
        func single(_ channel: Int) -> [Float] { (0..<6).map { $0 == channel ? 6 : 0 } }
    }

    /// Test 6: with tau = beta = 1 one neuron suffices; with tau = 0 and an accuracy reached only by the full layer,
    /// every neuron is added and the gates return to 1/N ("all added").
    func testStoppingRules() throws {
        var generator = SplitMix64(seed: 7)
        let lenient = GreedyLayerSelection.Evaluations(nextBatch: {}, batchLoss: { _ in 1 }, batchAccuracy: { _ in 0 }, evaluationAccuracy: { _ in 0.1 })
        let one = try GreedyLayerSelection(candidateCount: 50, tolerance: 1, slack: 1, maximumKept: nil).select(width: 8, evaluations: lenient, generator: &generator)
        XCTAssertEqual(one.gates.selected.count, 1)
        XCTAssertFalse(one.allAdded)
        let strict = GreedyLayerSelection.Evaluations(nextBatch: {}, batchLoss: { _ in 1 }, batchAccuracy: { _ in 1 },
                                                      evaluationAccuracy: { $0.allSatisfy { $0 > 0 } ? 0.9 : 0.5 })
        let all = try GreedyLayerSelection(candidateCount: 3, tolerance: 0, slack: 0, maximumKept: nil).select(width: 8, evaluations: strict, generator: &generator)
        XCTAssertTrue(all.allAdded)
        XCTAssertEqual(all.gates.values, [Double](repeating: 1.0 / 8, count: 8))
        XCTAssertEqual(all.gates.multipliers, [Float](repeating: 1, count: 8))
        let capped = try GreedyLayerSelection(candidateCount: 3, tolerance: 0, slack: 0, maximumKept: 3).select(width: 8, evaluations: strict, generator: &generator)
        XCTAssertEqual(capped.gates.selected.count, 3)
    }

    /// Tests 2 and 7 on a real model: gates of 1 everywhere leave the network unchanged; the compact network (unselected
    /// channels removed, N/|S| folded into the readers) equals the gated one.
    func testIdentityAtFullSelectionAndFoldingMatchesTheGatedNetwork() throws {
        for name in ["lenet5", "resnet20", "vgg11"] {
            let model = try ModelZoo.build(name: name, seed: 3)
            for batchNorm in model.namedLayers.values.compactMap({ $0 as? BatchNorm }) {
                batchNorm.statistics.runningMean = randomTensor([batchNorm.channels], seed: 8).map { $0 * 0.1 }
            }
            let shape = [3] + model.spec.inputShape
            let input = Variable(randomTensor(shape, seed: 4))
            func logits() throws -> Tensor { try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }.value }
            let dense = try logits()
            let session = try PruningSession(model: model, config: PruningConfig(), data: PruningData())
            let groupName = GreedySelectionPruner.eligibleGroups(session.graph, model: model, config: session.config)[1]
            let group = try session.graph.group(named: groupName), width = group.unitCount
            let scaling = try ChannelGateScaling(group: group, model: model)
            var full = GreedyGateVector(width: width)
            full.setUniform(over: Array(0..<width))
            scaling.apply(full.multipliers)
            assertClose(try logits(), dense.scalars, relative: 1e-5, absolute: 1e-5)
            let selected = Array(stride(from: 1, to: width, by: 3))
            var gates = GreedyGateVector(width: width)
            for channel in selected { gates.add(channel) }
            scaling.apply(gates.multipliers)
            let gated = try logits()
            scaling.restore()
            try session.apply(PruningPlan(removals: [groupName: (0..<width).filter { !selected.contains($0) }]))
            try GreedySelectionPruner.foldScale(Float(width) / Float(selected.count), into: groupName, of: session)
            XCTAssertEqual(try session.graph.group(named: groupName).unitCount, selected.count, name)
            assertClose(try logits(), gated.scalars, relative: 1e-4, absolute: 1e-5)
        }
    }

    /// The method end to end on LeNet-5 with synthetic data: eligible layers conv1, conv2 (fc1 feeds the classifier),
    /// each selected, removed and folded; the target caps the kept channels; the result is physically smaller.
    func testPrunesLeNetToTheTargetAndRecordsEveryLayer() throws {
        let model = try ModelZoo.build(name: "lenet5", seed: 5)
        var generator = SplitMix64(seed: 6)
        let batches = try (0..<4).map { _ in
            (images: try Tensor(shape: [32, 1, 28, 28], scalars: (0..<(32 * 784)).map { _ in generator.nextUniform() }),
             labels: (0..<32).map { _ in generator.nextInt(below: 10) })
        }
        var config = PruningConfig()
        config.target = .flopsRatio(0.6)
        (config.greedySelection.candidateCount, config.greedySelection.evaluationImages, config.greedySelection.tolerance) = (4, 64, 0)
        config.greedySelection.fineTuneEpochFraction = 0.5
        let session = try PruningSession(model: model, config: config, data: PruningData(training: TensorBatches(batches)))
        try PruningPipeline.prune(session, with: GreedySelectionPruner())
        let records = GreedySelectionPruner.records(of: session)
        XCTAssertEqual(records.map(\.group), ["conv1", "conv2"])
        XCTAssertTrue(records.allSatisfy { $0.kept < $0.width && $0.candidateEvaluations > 0 })
        XCTAssertEqual(try model.currentSpec().widths.map(\.width), records.map(\.kept) + [500])
        XCTAssertLessThanOrEqual(Double(try model.cost().flops), 0.6 * Double(session.denseCost.flops))
    }
}
