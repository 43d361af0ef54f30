import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// sfp.md "Tests that show the implementation is faithful", on ResNet-8 (test 7a, the scatter-add compact model:
/// `ScatterSurgeryTests` and `PruningSoftFilterPerConvolutionTests`).
final class PruningSoftFilterTests: XCTestCase {
    private let group = "layer1.0.conv1"

    /// ResNet-8 whose first block-internal layer has `width` filters.
    private func model(width: Int = 16, seed: UInt64 = 3) throws -> Model {
        var spec = ModelSpec.resNet(depth: 8)
        spec.widths = spec.widths.map { $0.name == group ? ModelSpec.LayerWidth(name: group, width: width) : $0 }
        return try Model(spec: spec, seed: seed)
    }

    private func data(_ spec: ModelSpec, batches: Int = 2) -> TensorBatches {
        TensorBatches((0..<batches).map { (NetworkFixtures.images(for: spec, count: 4, seed: UInt64(10 + $0)),
                                           NetworkFixtures.labels(count: 4, classes: 10, seed: UInt64($0))) })
    }

    private func conv(_ model: Model, _ name: String) -> Conv2d { model.namedLayers[name] as! Conv2d }

    /// Filter f of `name` set to a constant so that its L2 norm is `norms[f]`.
    private func setNorms(_ norms: [Float], of name: String, in model: Model) {
        let weight = conv(model, name).weight, size = weight.shape.dropFirst().reduce(1, *)
        weight.value.withUnsafeMutableBufferPointer { w in
            for (f, norm) in norms.enumerated() { for i in 0..<size { w[f * size + i] = norm / Float(size).squareRoot() } }
        }
    }

    private func hook(_ model: Model, counts: [String: Int], interval: Int = 1, epochs: Int = 1) throws -> SoftFilterMaskHook {
        try SoftFilterMaskHook(model: model, groups: DependencyGraph(model: model).groups, counts: counts, interval: interval, epochs: epochs)
    }

    private func filterNorms(_ model: Model, _ name: String) -> [Float] {
        try! UnitSlices(group: DependencyGraph(model: model).group(named: name), model: model).runningTotals { $0 * $0 }
    }

    // Test 1: norms [3, 1, 2, 4], P = 0.5 -> filters 1 and 2 zero, 0 and 3 bit-for-bit, BN unchanged.
    func testSelectionZeroesTheLowestL2Filters() throws {
        let model = try self.model(width: 4)
        setNorms([3, 1, 2, 4], of: group, in: model)
        let before = conv(model, group).weight.value, norm = model.namedLayers["layer1.0.bn1"] as! BatchNorm
        let (scale, shift) = (norm.scale.value, norm.shift.value)
        XCTAssertEqual(SoftFilterPruner.removalCount(units: 4, rate: 0.5), 2)
        let mask = try hook(model, counts: [group: 2])
        mask.mask()
        XCTAssertEqual(mask.maskedUnits[group], [1, 2])
        let after = conv(model, group).weight.value, size = after.count / 4
        for f in 0..<4 {
            let slice = { (t: Tensor) in Array(t.scalars[(f * size)..<((f + 1) * size)]) }
            if f == 1 || f == 2 { XCTAssertTrue(slice(after).allSatisfy { $0 == 0 }, "filter \(f)") } else { XCTAssertEqual(slice(after), slice(before)) }
        }
        XCTAssertEqual(norm.scale.value, scale)
        XCTAssertEqual(norm.shift.value, shift)
    }

    // Test 2: after each epoch-end mask exactly floor(N P) filters per group are zero; classifier untouched.
    func testEveryMaskZeroesFloorNPFiltersPerGroup() throws {
        XCTAssertEqual(SoftFilterPruner.removalCount(units: 16, rate: 0.3), 4)
        XCTAssertEqual(SoftFilterPruner.removalCount(units: 64, rate: 0.3), 19)
        let model = try self.model()
        var config = PruningConfig()
        (config.target, config.softFilter.epochs, config.softFilter.learningRate) = (.channelRatio(0.3), 2, 0.01)
        let session = try PruningSession(model: model, config: config, data: PruningData(training: data(model.spec)))
        let pruner = SoftFilterPruner()
        var phase = try XCTUnwrap(pruner.trainingPhase(session))
        var checks = 0
        phase.onEpochEnd = { _ in
            for group in session.graph.groups {
                let zeros = self.filterNorms(model, group.name).filter { $0 == 0 }.count
                XCTAssertEqual(zeros, session.runState(of: SoftFilterMaskHook.self)?.counts[group.name] ?? 0, group.name)
            }
            checks += 1
        }
        try session.train(phase)
        XCTAssertEqual(checks, 2)
        XCTAssertEqual(session.runState(of: SoftFilterMaskHook.self)?.counts["layer3.0.conv1"], 19)
        XCTAssertEqual(session.runState(of: SoftFilterMaskHook.self)?.counts[group], 4)
        XCTAssertFalse((model.namedLayers["fc"] as! Linear).weight.value.scalars.contains(0), "classifier is never masked")
    }

    // Test 3: zeroed filters are not frozen: one SGD step makes at least one of them non-zero.
    func testZeroedFiltersMoveAfterOneStep() throws {
        let model = try self.model()
        NetworkFixtures.randomizeBatchNorms(model, seed: 5)
        let mask = try hook(model, counts: [group: 8])
        mask.mask()
        let session = try PruningSession(model: model, config: PruningConfig(), data: PruningData(training: data(model.spec, batches: 1)))
        var recipe = TrainConfig()
        (recipe.epochs, recipe.learningRate, recipe.schedule) = (1, 0.01, .constant)
        try session.train(TrainingPhase(name: "one step", config: recipe))
        let norms = filterNorms(model, group)
        XCTAssertTrue(mask.maskedUnits[group]!.contains { norms[$0] > 0 })
    }

    // Test 4: the mask is recomputed from the current norms.
    func testMaskIsRecomputedFromCurrentNorms() throws {
        let model = try self.model(width: 4)
        setNorms([3, 1, 2, 4], of: group, in: model)
        let mask = try hook(model, counts: [group: 2])
        mask.mask()
        setNorms([0.5, 10, 0, 4], of: group, in: model)
        mask.mask()
        XCTAssertEqual(mask.maskedUnits[group], [0, 2])
        XCTAssertEqual(filterNorms(model, group)[1], 100, accuracy: 1e-3)
    }

    // Test 5: E = 3 -> masks before epoch 0 and after 0, 1, 2; T_p = 2 -> after 0 and 2.
    func testMaskSchedule() throws {
        for (interval, expected) in [(1, [-1, 0, 1, 2]), (2, [-1, 0, 2])] {
            let model = try self.model()
            var config = PruningConfig()
            (config.target, config.softFilter.epochs, config.softFilter.interval) = (.channelRatio(0.3), 3, interval)
            let session = try PruningSession(model: model, config: config, data: PruningData(training: data(model.spec, batches: 1)))
            let pruner = SoftFilterPruner()
            try session.train(XCTUnwrap(pruner.trainingPhase(session)))
            XCTAssertEqual(session.runState(of: SoftFilterMaskHook.self)?.maskedAfterEpochs, expected, "T_p = \(interval)")
        }
    }

    // Test 6: the paper's FLOPs accounting.
    func testPaperFlopsFormula() {
        XCTAssertEqual(SoftFilterFlops.cifarResNet(depth: 56, rate: 0), 125_485_056)
        for (depth, rates) in [(56, [0.1474, 0.2842, 0.4106, 0.5263]), (20, [0.1524, 0.2931, 0.4222, 0.5396]),
                               (32, [0.1493, 0.2877, 0.4151, 0.5316]), (110, [0.1462, 0.2821, 0.4078, 0.5231])] {
            for (index, expected) in rates.enumerated() {
                XCTAssertEqual(SoftFilterFlops.reduction(depth: depth, rate: Double(index + 1) / 10), expected, accuracy: 5e-5, "ResNet-\(depth)")
            }
        }
    }

    // Test 7b: plain conv -> BN -> ReLU -> conv: the hard prune equals the masked model when the pruned channels'
    // eval-mode BN constant is <= 0, and differs otherwise.
    func testHardPruneOfAPlainChain() throws {
        for constant: Float in [-0.1, 0.3] {
            let model = try self.model()
            NetworkFixtures.randomizeBatchNorms(model, seed: 9)
            let mask = try hook(model, counts: [group: 6])
            mask.mask()
            let norm = model.namedLayers["layer1.0.bn1"] as! BatchNorm
            for unit in mask.maskedUnits[group]! {  // constant = beta - gamma mu / sqrt(var + eps), with mu = 0
                norm.statistics.runningMean.withUnsafeMutableBufferPointer { $0[unit] = 0 }
                norm.shift.value.withUnsafeMutableBufferPointer { $0[unit] = constant }
            }
            let images = NetworkFixtures.images(for: model.spec, count: 2, seed: 4)
            let masked = try NetworkFixtures.logits(model, images, training: false)
            let session = try PruningSession(model: model, config: PruningConfig(), data: PruningData())
            try session.apply(PruningPlan(removals: mask.maskedUnits))
            XCTAssertEqual(conv(model, group).weight.shape[0], 10)
            let difference = NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false), masked)
            if constant <= 0 { XCTAssertLessThan(difference, 1e-5) } else { XCTAssertGreaterThan(difference, 1e-4) }
        }
    }

    // The CLI path: a FLOPs target is met by a physically smaller model, settings recorded in the config.
    func testPipelineMeetsAFlopsTarget() throws {
        let model = try self.model()
        var config = PruningConfig()
        (config.target, config.softFilter.epochs) = (.flopsRatio(0.5), 1)
        let dense = try model.cost()
        _ = try PruningPipeline.run(model: model, method: "sfp", config: config, data: PruningData(training: data(model.spec)))
        XCTAssertLessThanOrEqual(Double(try model.cost().flops), 0.5 * Double(dense.flops))
        XCTAssertLessThan(model.parameterCount, dense.parameterCount)
        let decoded = try JSONDecoder().decode(PruningConfig.self, from: JSONEncoder().encode(config))
        XCTAssertEqual(decoded.softFilter.epochs, 1)
    }
}
