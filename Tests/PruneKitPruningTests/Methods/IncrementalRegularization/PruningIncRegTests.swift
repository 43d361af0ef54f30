import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// increg.md's faithfulness tests 1-7 for IncReg (Wang et al., IJCNN 2019).
final class PruningIncRegTests: XCTestCase {
    /// Test 1: the increment table for u = 0.25, A = 1, K = 4 and K = 2; Delta(N_c) = uA and Delta(K) = 0.
    func testIncrementTable() {
        let four: [Double] = [1.0, 0.5946, 0.3536, 0.2027, 0.0, -0.3409, -0.9142, -1.8784, -3.5, -6.2272]
        for (j, expected) in four.enumerated() {
            XCTAssertEqual(IncrementalRegularizationHook.increment(rank: Double(j), remaining: 4, unit: 1), expected, accuracy: 1e-4, "K 4 j \(j)")
        }
        let two: [Double] = [1.0, 0.3536, 0.0, -0.9142, -3.5, -10.8137]
        for (j, expected) in two.enumerated() {
            XCTAssertEqual(IncrementalRegularizationHook.increment(rank: Double(j), remaining: 2, unit: 1), expected, accuracy: 1e-4, "K 2 j \(j)")
        }
        for K in [2, 4, 7] {
            let center = -log(0.25) / (log(2 / 0.25) / Double(K))
            XCTAssertEqual(IncrementalRegularizationHook.increment(rank: center, remaining: K, unit: 1), 0.25, accuracy: 1e-12)
            XCTAssertEqual(IncrementalRegularizationHook.increment(rank: Double(K), remaining: K, unit: 1), 0, accuracy: 1e-12)
        }
    }

    /// Test 6: code-compatible ceilings.
    func testEffectiveCeiling() {
        XCTAssertEqual(IncrementalRegularizationHook.effectiveCeiling(configured: 2.5), 6.1301, accuracy: 1e-4)
        XCTAssertEqual(IncrementalRegularizationHook.effectiveCeiling(configured: 0.05), 0.1226, accuracy: 1e-4)
    }

    /// Filter rows of a [count, 1, 3, 3] weight (`variable`, or a zero weight called `name`) as a unit view.
    private func rows(_ count: Int, _ name: String, _ variable: Variable? = nil) -> UnitSlices {
        let weight = variable ?? Variable(parameter: Tensor(zeros: [count, 1, 3, 3]), name: name)
        return UnitSlices(members: [.init(variable: weight, layout: .init(axis: 0, of: weight.shape), channels: (0..<count).map { [$0] })],
                          unitCount: count)
    }

    /// A weight whose filter f has every entry `values[f]`.
    private func weight(_ values: [Float]) -> Tensor {
        try! Tensor(shape: [values.count, 1, 3, 3], scalars: values.flatMap { Array(repeating: $0, count: 9) })
    }

    /// Test 2: groups ranked beyond K start at lambda 0 and stay there; test 3: ranks 2, 0, 1 average to 2, 1, 1.
    func testClampAndAverageRank() {
        let layer = IncrementalRegularizationHook.Layer(name: "conv", slices: rows(10, "conv.weight"), target: 2)
        let hook = IncrementalRegularizationHook(layers: [layer], unitIncrement: 1, ceiling: 1e9)
        hook.update(layer, weight((0..<10).map { Float($0 + 1) }), n: 1)
        XCTAssertEqual(Array(layer.penalties[3...]), Array(repeating: 0, count: 7))
        XCTAssertEqual(layer.penalties[0], 1)
        let three = IncrementalRegularizationHook.Layer(name: "c", slices: rows(3, "c.weight"), target: 1)
        let tracker = IncrementalRegularizationHook(layers: [three], unitIncrement: 1, ceiling: 1e9)
        for (n, values) in [[3, 1, 2], [0.5, 1, 2], [1.5, 1, 2]].enumerated() {
            tracker.update(three, weight(values.map { Float($0) }), n: n + 1)
            XCTAssertEqual(three.averageRanks[0], [2, 1, 1][n], accuracy: 1e-12, "n \(n + 1)")
        }
    }

    /// Tests 4 and 5: 10 filters, R = 0.35, large A: exactly ceil(3.5) = 4 filters go, the 4 lowest-L1 ones, then the
    /// survivors' lambda is 0 and training stops; removed filters' weights and gradients stay exactly 0 under
    /// momentum SGD with random gradients.
    func testExactCountAndMasksHold() throws {
        let scales: [Float] = [0.9, 0.2, 1.0, 0.4, 0.8, 0.1, 0.7, 0.3, 0.6, 0.5]
        let conv = Conv2d(name: "conv", weight: weight(scales), bias: nil)
        let target = Int((10 * 0.35).rounded(.up))
        let layer = IncrementalRegularizationHook.Layer(name: "conv", slices: rows(10, conv.weight.name, conv.weight), target: target)
        let hook = IncrementalRegularizationHook(layers: [layer], unitIncrement: 0.5, ceiling: 2)
        let optimizer = try SGD(learningRate: 1e-3, momentum: 0.9)
        let context = TrainingContext(model: conv, optimizer: optimizer)
        var generator = SplitMix64(seed: 3)
        while !context.shouldStop && context.globalIteration < 200 {
            conv.weight.gradient = Tensor.normal(shape: [10, 1, 3, 3], standardDeviation: 0.01, generator: &generator)
            try hook.afterBackward(context)
            for unit in layer.prunedOrder { XCTAssertTrue(layer.units[unit].allSatisfy { conv.weight.gradient!.scalars[$0] == 0 }) }
            optimizer.step([conv.weight])
            try hook.afterOptimizerStep(context)
            for unit in layer.prunedOrder { XCTAssertTrue(layer.units[unit].allSatisfy { conv.weight.value.scalars[$0] == 0 }) }
            context.globalIteration += 1
        }
        XCTAssertTrue(context.shouldStop)
        XCTAssertEqual(Set(layer.prunedOrder), [5, 1, 7, 3])
        XCTAssertEqual(layer.units.indices.filter { !layer.isPruned[$0] }.map { layer.penalties[$0] }, Array(repeating: 0, count: 6))
    }

    /// Test 7: masking all 25 columns of input channel c of LeNet-5's conv2 schedules filter c of conv1 for removal,
    /// and removing it (conv1 filter, conv2 input channel) leaves the masked net's logits unchanged.
    func testColumnToFilterPropagation() throws {
        let model = try Model(spec: .leNet5(classic: true), seed: 2)
        var config = PruningConfig()
        config.incrementalRegularization.unit = .columns
        let session = try PruningSession(model: model, config: config, data: PruningData())
        let conv2 = model.namedLayers["conv2"] as! Conv2d
        var mask = Tensor(repeating: 1, shape: conv2.weight.shape)
        mask.withUnsafeMutableBufferPointer { m in for o in 0..<16 { for i in 0..<25 { m[(o * 6 + 4) * 25 + i] = 0 } } }
        try session.apply(PruningPlan(masks: ["conv2.weight": mask]))
        let images = NetworkFixtures.images(for: model.spec, count: 3, seed: 5)
        let masked = try NetworkFixtures.logits(model, images, training: false)
        let plan = try IncrementalRegularizationColumns.emptiedChannels(session)
        XCTAssertEqual(plan.removals, ["conv1": [4]])
        try session.apply(plan)
        XCTAssertEqual((model.namedLayers["conv1"] as! Conv2d).weight.shape[0], 5)
        XCTAssertEqual(conv2.weight.shape[1], 5)
        XCTAssertLessThan(NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false), masked), 1e-5)
    }

    /// The method end to end from a FLOPs target on a small LeNet-5: the regulariser reaches every layer's count.
    func testPipelineMeetsFlopsTarget() throws {
        let model = try Model(spec: .leNet5(classic: true), seed: 4)
        var config = PruningConfig()
        config.target = .flopsRatio(0.6)
        (config.incrementalRegularization.unitIncrement, config.incrementalRegularization.training.epochs) = (0.05, 20)
        let data = TensorBatches((0..<4).map { (NetworkFixtures.images(for: model.spec, count: 4, seed: UInt64($0)),
                                                NetworkFixtures.labels(count: 4, classes: 10, seed: UInt64($0))) })
        let report = try PruningPipeline.run(model: model, method: "increg", config: config, data: PruningData(training: data))
        XCTAssertLessThanOrEqual(Double(report.flopsAfter), 0.6 * Double(report.flopsBefore))
        XCTAssertEqual(report.results[IncrementalRegularizationResult.self]?.prunedAtBudget, 0)
        XCTAssertGreaterThan(report.results[IncrementalRegularizationResult.self]?.prunedAtCeiling ?? 0, 0)
    }
}
