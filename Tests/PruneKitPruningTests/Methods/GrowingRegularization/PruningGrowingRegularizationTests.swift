import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// greg.md "Tests that show the implementation is faithful", on ResNet-8 and on the spec's 2-weight quadratic.
final class PruningGrowingRegularizationTests: XCTestCase {
    private let group = "layer1.0.conv1"

    private func data(_ spec: ModelSpec, batches: Int) -> TensorBatches {
        TensorBatches((0..<batches).map { (NetworkFixtures.images(for: spec, count: 2, seed: UInt64(20 + $0)),
                                           NetworkFixtures.labels(count: 2, classes: 10, seed: UInt64($0))) })
    }

    private func weight(_ model: Model, _ name: String) -> Variable { (model.namedLayers[name] as! Conv2d).weight }

    /// Gradient of the data loss set to zero (the code's `--block_loss_grad`), before the GReg hook runs.
    private final class BlockLossGradient: TrainingHook {
        func afterBackward(_ context: TrainingContext) throws {
            for parameter in context.model.parameters { parameter.gradient = Tensor(zeros: parameter.shape) }
        }
    }

    // Test 1: n = min(ceil(pr N), N - 1); pr = 0 is finished at the first update.
    func testSelectionCount() {
        XCTAssertEqual(GrowingRegularizationPruner.removalCount(units: 10, ratio: 0.35), 4)
        XCTAssertEqual(GrowingRegularizationPruner.removalCount(units: 10, ratio: 1.0), 9)
        XCTAssertEqual(GrowingRegularizationPruner.removalCount(units: 10, ratio: 0), 0)
        var schedule = GrowingPenaltySchedule(removalCount: 0, scores: [Float](repeating: 1, count: 10),
                                              settings: .init(), picksLater: false)
        XCTAssertEqual(schedule.stage, .growing)
        schedule.update(scores: [Float](repeating: 1, count: 10))
        XCTAssertEqual(schedule.stage, .finished)
        XCTAssertEqual(schedule.penalties.max(), 0)
    }

    // Test 2: lambda = k 1e-4 after iterations 0, 10, ..., 10 (k - 1); growth stops at update 10,001 (Double).
    func testPenaltySchedule() throws {
        let model = try Model(spec: .resNet(depth: 8), seed: 1)
        var settings = GrowingRegularizationPruner.Settings()
        settings.magnitudeRatioLimit = .infinity
        let hook = try GrowingRegularizationHook(model: model, groups: DependencyGraph(model: model).groups, counts: [group: 4],
                                                 settings: settings, picksLater: false)
        let context = TrainingContext(model: model, optimizer: try TrainConfig().makeOptimizer())
        let selected = Set(hook.selectedUnits[group]!)
        XCTAssertEqual(selected.count, 4)
        for iteration in 0..<25 {
            try hook.afterBackward(context)
            let penalties = hook.schedules[group]!.penalties
            let expected = Double(iteration / 10 + 1) * 1e-4
            for (unit, penalty) in penalties.enumerated() {
                XCTAssertEqual(penalty, selected.contains(unit) ? expected : 0, accuracy: 1e-12, "iteration \(iteration)")
            }
            try hook.afterOptimizerStep(context)
        }
        var schedule = GrowingPenaltySchedule(removalCount: 4, scores: (0..<16).map(Float.init), settings: settings, picksLater: false)
        while schedule.stage != .finished { schedule.update(scores: (0..<16).map(Float.init)) }
        XCTAssertEqual(schedule.updateCount, 10_001)
        XCTAssertGreaterThan(schedule.penalties.max()!, 1)
    }

    // Test 3: the extra gradient is lambda[f] w[f] exactly; lambda = 0 filters get none.
    func testPenaltyGradient() throws {
        let model = try Model(spec: .resNet(depth: 8), seed: 2)
        let filters = try UnitSlices(group: DependencyGraph(model: model).group(named: group), model: model)
        let w = weight(model, group)
        var generator = SplitMix64(seed: 3)
        let before = Tensor.normal(shape: w.shape, generator: &generator)
        w.gradient = before
        let penalties: [Float] = (0..<16).map { $0 % 3 == 0 ? 0 : Float($0) * 0.01 }
        filters.addPenaltyGradient(penalties)
        let size = w.shape.dropFirst().reduce(1, *), after = w.gradient!.scalars, value = w.value.scalars
        for index in 0..<after.count {
            XCTAssertEqual(after[index], before.scalars[index] + penalties[index / size] * value[index])
            if penalties[index / size] == 0 { XCTAssertEqual(after[index], before.scalars[index]) }
        }
    }

    // Test 4: with the data gradient blocked, plain SGD lr 0.1: w <- (1 - 0.1 lambda_t) w on selected filters,
    // lambda 0.1, ..., 1.1 (11 updates), then K_s = 60 stabilising steps: 4.62e-4 of the initial value.
    func testDecayLaw() throws {
        let model = try Model(spec: .resNet(depth: 8), seed: 4)
        var config = PruningConfig()
        config.target = .channelRatio(0.5)
        config.growingRegularization.increment = 0.1
        config.growingRegularization.updateInterval = 1
        config.growingRegularization.stabilizeIterations = 60
        config.growingRegularization.magnitudeRatioLimit = .infinity
        (config.growingRegularization.learningRate, config.growingRegularization.momentum) = (0.1, 0)
        (config.growingRegularization.weightDecay, config.growingRegularization.maximumEpochs) = (0, 100)
        let session = try PruningSession(model: model, config: config, data: PruningData(training: data(model.spec, batches: 1)))
        let pruner = GrowingRegularizationPruner(isHessianAware: false)
        let initial = weight(model, group).value.scalars
        var phase = try XCTUnwrap(pruner.trainingPhase(session))
        phase.hooks.insert(BlockLossGradient(), at: 0)
        try session.train(phase)
        let hook = try XCTUnwrap(session.runState(of: GrowingRegularizationHook.self))
        XCTAssertEqual(hook.iteration, 71)
        XCTAssertEqual(hook.schedules[group]!.updateCount, 11)
        XCTAssertEqual(hook.schedules[group]!.penalties.max()!, 1.1, accuracy: 1e-9)
        let growth = (1...11).reduce(1.0) { $0 * (1 - 0.01 * Double($1)) }
        XCTAssertEqual(growth, 0.50315, accuracy: 1e-5)
        let factor = growth * pow(1 - 0.11, 60)
        XCTAssertEqual(factor, 4.62e-4, accuracy: 1e-6)
        let selected = Set(hook.selectedUnits[group]!), now = weight(model, group).value.scalars
        let size = now.count / 16
        var (kept, removed) = (0.0, 0.0)
        for index in now.indices {
            if selected.contains(index / size) {
                XCTAssertEqual(Double(now[index]), Double(initial[index]) * factor, accuracy: 1e-4 * abs(Double(initial[index])) + 1e-9)
                removed += Double(abs(now[index]))
            } else {
                XCTAssertEqual(now[index], initial[index])
                kept += Double(abs(now[index]))
            }
        }
        XCTAssertGreaterThanOrEqual(kept / removed, 1000)
        try session.apply(try pruner.plan(session))
        XCTAssertEqual(weight(model, group).shape[0], 8)
    }

    // Test 5: GReg-2 on 1/2 (w - w0)^T diag(h) (w - w0), h = (10, 0.1): the low-curvature coordinate is picked.
    func testHessianAwarePickOnAQuadratic() {
        let (w0, h) = ([1.0, 1.0], [10.0, 0.1])
        var w = w0
        var schedule = GrowingPenaltySchedule(removalCount: 1, scores: [1, 1], settings: .init(), picksLater: true)
        var atPick: [Double] = []
        while schedule.stage == .picking {
            schedule.update(scores: w.map { Float(abs($0)) })
            if schedule.stage != .picking { atPick = w; break }
            for _ in 0..<300 {  // gradient descent to convergence at this lambda (warm start)
                for i in 0..<2 { w[i] -= 0.09 * (h[i] * (w[i] - w0[i]) + schedule.penalties[i] * w[i]) }
            }
        }
        XCTAssertEqual(schedule.selected, [1])
        XCTAssertEqual(atPick[0], 0.9990, accuracy: 1e-3)
        XCTAssertEqual(atPick[1], 0.9091, accuracy: 2e-3)
        XCTAssertEqual(h[0] / (h[0] + 1) * w0[0], 0.9091, accuracy: 1e-4)  // the minimiser at lambda = 1
        XCTAssertEqual(h[1] / (h[1] + 1) * w0[1], 0.0909, accuracy: 1e-4)
    }

    // Test 6: a zero filter with gamma = beta = 0 is removed without changing the logits.
    func testRemovingAZeroFilterIsLossless() throws {
        let model = try Model(spec: .resNet(depth: 8), seed: 5)
        NetworkFixtures.randomizeBatchNorms(model, seed: 6)
        let graph = try DependencyGraph(model: model)
        try UnitSlices(group: graph.group(named: group), model: model).zero(units: [3])
        let norm = model.namedLayers["layer1.0.bn1"] as! BatchNorm
        norm.scale.value.withUnsafeMutableBufferPointer { $0[3] = 0 }
        norm.shift.value.withUnsafeMutableBufferPointer { $0[3] = 0 }
        let images = NetworkFixtures.images(for: model.spec, count: 2, seed: 7)
        let before = try NetworkFixtures.logits(model, images, training: false)
        let session = try PruningSession(model: model, config: PruningConfig(), data: PruningData())
        try session.apply(PruningPlan(removals: [group: [3]]))
        XCTAssertLessThan(NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false), before), 1e-5)
    }

    // Test 7: only conv1 of each block loses filters; conv2 keeps its outputs and reads conv1's kept filters;
    // stem unchanged. Also: a FLOPs target is met through the eligible groups alone.
    func testOnlyBlockInternalFiltersGo() throws {
        for (method, target) in [("greg-1", PruningTarget.channelRatio(0.5)), ("greg-2", .flopsRatio(0.6))] {
            let model = try Model(spec: .resNet(depth: 8), seed: 6)
            var config = PruningConfig()
            config.target = target
            (config.growingRegularization.updateInterval, config.growingRegularization.increment) = (1, 0.5)
            (config.growingRegularization.pickIncrement, config.growingRegularization.stabilizeIterations) = (0.01, 1)
            config.growingRegularization.maximumEpochs = 3
            let dense = try model.cost()
            _ = try PruningPipeline.run(model: model, method: method, config: config, data: PruningData(training: data(model.spec, batches: 2)))
            XCTAssertEqual(weight(model, "conv1").shape, [16, 3, 3, 3], method)
            for (stage, width) in [(1, 16), (2, 32), (3, 64)] {
                let first = weight(model, "layer\(stage).0.conv1"), second = weight(model, "layer\(stage).0.conv2")
                XCTAssertLessThan(first.shape[0], width, method)
                XCTAssertEqual(second.shape[0], width, method)
                XCTAssertEqual(second.shape[1], first.shape[0], method)
            }
            if case .flopsRatio = target { XCTAssertLessThanOrEqual(Double(try model.cost().flops), 0.6 * Double(dense.flops), method) }
            if case .channelRatio = target { XCTAssertEqual(weight(model, "layer3.0.conv1").shape[0], 32, method) }
        }
    }
}
