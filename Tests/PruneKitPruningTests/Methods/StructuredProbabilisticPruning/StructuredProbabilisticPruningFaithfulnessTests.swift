import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// spp.md's faithfulness tests 1-7 for SPP (Wang et al., BMVC 2018), with the spec's numbers and tolerances.
final class StructuredProbabilisticPruningFaithfulnessTests: XCTestCase {
    private let increment = ProbabilityIncrement(maximum: 0.05, symmetry: 0.25)

    /// A conv weight [1, columns, 1, 1] whose column j has L1 norm `norms[j]` (one row, so column = input channel).
    private func conv(_ norms: [Float]) -> Conv2d {
        Conv2d(name: "conv", weight: try! Tensor(shape: [1, norms.count, 1, 1], scalars: norms), bias: nil)
    }

    /// Test 1: the increment table (N_g = 10, R = 0.5 -> G = 5) and the second case (N_g = 16, R = 0.25 -> G = 4).
    func testIncrementTable() {
        let layer = ProbabilisticColumnLayer(name: "conv", outputChannels: 1, columnCount: 10,
                                             target: RemovalCountRule.removeCeiling.removalCount(units: 10, ratio: 0.5))
        XCTAssertEqual(layer.remaining, 5)
        XCTAssertEqual(increment.decay(remaining: 5), 0.415888, accuracy: 1e-6)
        XCTAssertEqual(increment.center(remaining: 5), 3.333333, accuracy: 1e-6)
        let expected = [0.05, 0.032988, 0.021764, 0.014359, 0.008506, 0.0, -0.012893, -0.032435, -0.062055, -0.106951]
        for (rank, value) in expected.enumerated() {
            XCTAssertEqual(increment.delta(rank: Double(rank), remaining: 5), value, accuracy: 1e-6, "r \(rank)")
        }
        XCTAssertEqual(RemovalCountRule.removeCeiling.removalCount(units: 16, ratio: 0.25), 4)
        XCTAssertEqual(increment.delta(rank: 4, remaining: 4), 0, accuracy: 1e-6)
        XCTAssertEqual(increment.delta(rank: 15, remaining: 4), -7.585926, accuracy: 1e-6)
        XCTAssertEqual(increment.delta(rank: 0, remaining: 0), 0, "G <= 0 short-circuits")
        let linear = ProbabilityIncrement(maximum: 0.05, symmetry: 0.25, isLinear: true)
        XCTAssertEqual(linear.delta(rank: 0, remaining: 5), 0.05, accuracy: 1e-12)
        XCTAssertEqual(linear.delta(rank: 5, remaining: 5), 0, accuracy: 1e-12)
        XCTAssertEqual(linear.delta(rank: 7, remaining: 5), -0.02, accuracy: 1e-12)
    }

    /// Test 2: for random G in [1, 100], Delta(G) = 0 and Delta(N_c + d) + Delta(N_c - d) = 2uA.
    func testSymmetry() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let remaining = 1 + generator.nextInt(below: 100)
            let center = increment.center(remaining: remaining), offset = Double(generator.nextUniform()) * center
            XCTAssertEqual(increment.delta(rank: Double(remaining), remaining: remaining), 0, accuracy: 1e-12, "G \(remaining)")
            let sum = increment.delta(rank: center + offset, remaining: remaining) + increment.delta(rank: center - offset, remaining: remaining)
            XCTAssertEqual(sum, 2 * 0.25 * 0.05, accuracy: 1e-12, "G \(remaining) d \(offset)")
        }
    }

    /// Test 3: the first update from p = 0 on column L1 norms [10, 1, 9, 2, 8, 3, 7, 4, 6, 5].
    func testFirstUpdate() {
        let layer = ProbabilisticColumnLayer(name: "conv", outputChannels: 1, columnCount: 10, target: 5)
        layer.update(weight: conv([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]).weight.value, increment: increment, scoreDecay: 0)
        let expected: [Int: Double] = [1: 0.05, 3: 0.032988, 5: 0.021764, 7: 0.014359, 9: 0.008506]
        for column in 0..<10 { XCTAssertEqual(layer.probabilities[column], expected[column] ?? 0, accuracy: 1e-6, "column \(column)") }
        XCTAssertTrue(layer.permanentOrder.isEmpty)
    }

    /// Test 4: p = 0 never masked, p = 1 always, p = 0.3 kept in 70% +- 2% of 10,000 draws; masks are constant
    /// along each column of the weight.
    func testSampling() {
        let layer = ProbabilisticColumnLayer(name: "conv", outputChannels: 4, columnCount: 3, target: 2)
        layer.makePermanent(1)
        layer.probabilities[2] = 0.3
        var generator = SplitMix64(seed: 5), kept = 0
        let ones = try! Tensor(shape: [4, 3, 1, 1], scalars: Array(repeating: 1, count: 12))
        for _ in 0..<10_000 {
            layer.sampleMask(generator: &generator)
            XCTAssertEqual(layer.mask[0], 1)
            XCTAssertEqual(layer.mask[1], 0)
            kept += Int(layer.mask[2])
        }
        XCTAssertEqual(Double(kept) / 10_000, 0.7, accuracy: 0.02)
        let masked = layer.scaledColumns(ones, by: layer.mask).scalars
        for column in 0..<3 { XCTAssertEqual(Set((0..<4).map { masked[$0 * 3 + column] }), [layer.mask[column]], "column \(column)") }
    }

    /// Test 5: with wd = 0 and momentum = 0 a column masked this iteration keeps its weights and unmasked ones move;
    /// P is exactly 0 after every step, also with weight decay and momentum.
    func testTrainingStepMasksAndRestores() throws {
        for (weightDecay, momentum) in [(Float(0), Float(0)), (5e-4, 0.9)] {
            var generator = SplitMix64(seed: 9)
            let weight = Tensor.normal(shape: [4, 10, 1, 1], standardDeviation: 1, generator: &generator)
            let layer = Conv2d(name: "conv", weight: weight, bias: nil)
            let columns = ProbabilisticColumnLayer(name: "conv", outputChannels: 4, columnCount: 10, target: 9)
            let hook = ProbabilisticColumnHook(layers: [columns], increment: ProbabilityIncrement(maximum: 0.5, symmetry: 0.25),
                                               interval: 1, scoreDecay: 0, seed: 3)
            let optimizer = try SGD(learningRate: 0.1, momentum: momentum, weightDecay: weightDecay)
            let context = TrainingContext(model: layer, optimizer: optimizer)
            for step in 0..<8 {
                try hook.beforeIteration(context)
                let unmasked = hook.unmaskedWeight(named: columns.parameterName)!.scalars, mask = columns.mask
                let seen = layer.weight.value.scalars   // what forward and backward use: W * m
                for index in seen.indices { XCTAssertEqual(seen[index], unmasked[index] * mask[index % 10]) }
                layer.weight.gradient = Tensor.normal(shape: [4, 10, 1, 1], standardDeviation: 1, generator: &generator)
                try hook.afterBackward(context)
                XCTAssertEqual(layer.weight.value.scalars, unmasked, "restored before the step")
                optimizer.step([layer.weight])
                try hook.afterOptimizerStep(context)
                let after = layer.weight.value.scalars
                for index in after.indices {
                    let column = index % 10
                    if columns.isPermanent[column] {
                        XCTAssertEqual(after[index], 0, "P column \(column) step \(step)")
                    } else if weightDecay == 0 && momentum == 0 {
                        if mask[column] == 0 { XCTAssertEqual(after[index], unmasked[index], "dropped column \(column) step \(step)") }
                        else { XCTAssertNotEqual(after[index], unmasked[index], "kept column \(column) step \(step)") }
                    }
                }
            }
            XCTAssertFalse(columns.permanentOrder.isEmpty, "large A puts columns in P within 8 steps")
        }
    }

    /// Test 6: frozen weights, fixed ranking: the lowest column reaches p = 1 after 20 updates (21 allowed), joins P
    /// and is zeroed; once |P| >= ceil(R N_g) the layer stops updating and drawing (only P masked).
    func testTermination() throws {
        let layer = conv([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])
        let columns = ProbabilisticColumnLayer(name: "conv", outputChannels: 1, columnCount: 10, target: 5)
        let hook = ProbabilisticColumnHook(layers: [columns], increment: increment, interval: 1, scoreDecay: 0, seed: 1)
        var updates = 0
        while columns.permanentOrder.isEmpty && updates < 30 { try hook.update(columns, layer.weight); updates += 1 }
        XCTAssertTrue((20...21).contains(updates), "\(updates) updates")
        XCTAssertEqual(columns.permanentOrder, [1])
        XCTAssertEqual(layer.weight.value.scalars[1], 0)
        while !columns.isFinished && updates < 10_000 { try hook.update(columns, layer.weight); updates += 1 }
        XCTAssertGreaterThanOrEqual(columns.permanentOrder.count, 5)
        XCTAssertEqual(Set(columns.permanentOrder), [1, 3, 5, 7, 9])
        let (count, state) = (columns.updates, hook.generator)
        try hook.update(columns, layer.weight)
        XCTAssertEqual(columns.updates, count, "no update once finished")
        var generator = state
        columns.sampleMask(generator: &generator)
        XCTAssertEqual(generator, state, "no draw once finished")
        XCTAssertEqual(columns.mask, columns.permanentMask)
    }

    /// Test 7: with k columns in P, alpha uses G = ceil(R N_g) - k and ranks run over the N_g - k others.
    func testAdaptiveRemainingCount() {
        let layer = ProbabilisticColumnLayer(name: "conv", outputChannels: 1, columnCount: 10, target: 5)
        layer.makePermanent(1)
        layer.makePermanent(3)
        XCTAssertEqual(layer.remaining, 3)
        layer.update(weight: conv([10, 0, 9, 0, 8, 3, 7, 4, 6, 5]).weight.value, increment: increment, scoreDecay: 0)
        // Unpruned columns by score: 5 (3), 7 (4), 9 (5), 8 (6), 6 (7), 4 (8), 2 (9), 0 (10) -> ranks 0...7 with G = 3.
        for (rank, column) in [5, 7, 9, 8, 6, 4, 2, 0].enumerated() {
            XCTAssertEqual(layer.probabilities[column], max(increment.delta(rank: Double(rank), remaining: 3), 0), accuracy: 1e-12, "column \(column)")
        }
        XCTAssertEqual(layer.probabilities[8], 0, accuracy: 1e-12, "Delta(G) = 0 at rank G = 3 (column 8)")
        XCTAssertEqual(increment.delta(rank: 1, remaining: 3), 0.05 * exp(-log(8.0) / 3), accuracy: 1e-12)
    }

    /// Same seed, same masks; another seed, other masks.
    func testMasksFollowTheSeed() throws {
        let draw = { (seed: UInt64) -> [[Float]] in
            let layer = ProbabilisticColumnLayer(name: "conv", outputChannels: 1, columnCount: 50, target: 25)
            for column in 0..<50 { layer.probabilities[column] = 0.5 }
            var generator = SplitMix64(seed: seed)
            return (0..<5).map { _ in layer.sampleMask(generator: &generator); return layer.mask }
        }
        XCTAssertEqual(draw(4), draw(4))
        XCTAssertNotEqual(draw(4), draw(5))
    }
}
