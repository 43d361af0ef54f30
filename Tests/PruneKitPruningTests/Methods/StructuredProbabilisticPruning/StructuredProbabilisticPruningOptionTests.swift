import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// SPP's options beyond the defaults: score decay d, rescale at finish, the iteration cap, the budget top-up.
final class StructuredProbabilisticPruningOptionTests: XCTestCase {
    private func conv(_ norms: [Float]) -> Conv2d {
        Conv2d(name: "conv", weight: try! Tensor(shape: [1, norms.count, 1, 1], scalars: norms), bias: nil)
    }

    /// h_j <- d h_j + s_j: with d = 0.9, two updates on norms s give h = 1.9 s (d = 0 gives s).
    func testScoreDecay() {
        let layer = ProbabilisticColumnLayer(name: "conv", outputChannels: 1, columnCount: 4, target: 2)
        let weight = conv([4, 1, 3, 2]).weight.value
        let increment = ProbabilityIncrement(maximum: 0.05, symmetry: 0.25)
        layer.update(weight: weight, increment: increment, scoreDecay: 0.9)
        layer.update(weight: weight, increment: increment, scoreDecay: 0.9)
        for (column, norm) in [4.0, 1, 3, 2].enumerated() { XCTAssertEqual(layer.scores[column], 1.9 * norm, accuracy: 1e-9) }
    }

    /// With rescale on, the survivors of a finishing layer are multiplied by 1 - p_j; P is 0. (Column 1 sits at rank
    /// G = 1, where Delta = 0, so its p = 0.4 survives the finishing update.)
    func testRescaleAtFinish() throws {
        let layer = conv([1, 2, 3, 4])
        let columns = ProbabilisticColumnLayer(name: "conv", outputChannels: 1, columnCount: 4, target: 1)
        (columns.probabilities[0], columns.probabilities[1]) = (0.99, 0.4)
        let hook = ProbabilisticColumnHook(layers: [columns], increment: ProbabilityIncrement(maximum: 0.05, symmetry: 0.25),
                                           interval: 1, scoreDecay: 0, rescalesAtFinish: true, seed: 1)
        try hook.update(columns, layer.weight)
        XCTAssertTrue(columns.isFinished)
        XCTAssertEqual(layer.weight.value.scalars, [0, 2 * 0.6, 3, 4])
    }

    /// The iteration cap stops the phase; the budget top-up then adds the highest-p columns (ties: lowest L1 norm).
    func testIterationLimitAndBudgetTopUp() throws {
        let layer = conv([5, 1, 4, 2, 3, 6])
        let columns = ProbabilisticColumnLayer(name: "conv", outputChannels: 1, columnCount: 6, target: 3)
        let hook = ProbabilisticColumnHook(layers: [columns], increment: ProbabilityIncrement(maximum: 0.05, symmetry: 0.25),
                                           interval: 1, scoreDecay: 0, iterationLimit: 2, seed: 1)
        let context = TrainingContext(model: layer, optimizer: try SGD(learningRate: 0))
        for _ in 0..<2 {
            try hook.beforeIteration(context)
            layer.weight.gradient = Tensor(zeros: [1, 6, 1, 1])
            try hook.afterBackward(context)
            try hook.afterOptimizerStep(context)
        }
        XCTAssertTrue(context.shouldStop)
        XCTAssertEqual(try hook.completeLayers(in: layer), 3)
        XCTAssertEqual(columns.permanentOrder, [1, 3, 4], "ranks 0, 1, 2 got the largest increments")
        XCTAssertEqual(layer.weight.value.scalars, [5, 0, 4, 0, 0, 6])
    }
}
