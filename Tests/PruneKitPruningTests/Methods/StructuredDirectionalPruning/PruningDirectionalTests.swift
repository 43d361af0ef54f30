import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// sdprun.md's faithfulness tests 1-7 for the group gRDA solver and sDprun (Li et al. 2021; Chao et al. 2020).
final class PruningDirectionalTests: XCTestCase {
    private let spec = ModelSpec.multilayerPerceptron(hiddenFeatures: [12, 8], inputShape: [1, 6, 6], classCount: 4)

    private func data() -> TensorBatches {
        TensorBatches((0..<5).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(60 + $0)),
                                     NetworkFixtures.labels(count: 8, classes: 4, seed: UInt64($0))) })
    }

    private func train(_ model: Model, _ optimizer: Optimizer, epochs: Int = 2) throws {
        var config = TrainConfig()
        (config.epochs, config.learningRate, config.schedule) = (epochs, 0.05, .constant)
        try Trainer(model: model, optimizer: optimizer, config: config, training: data(), evaluation: nil, classCount: 4)
            .fit(from: TrainingState(seed: 1))
    }

    /// Families for the MLP's hidden layers (weight + bias per neuron).
    private func families(_ model: Model, elementwise: Bool = false) throws -> [GroupRegularizedDualAveraging.GroupFamily] {
        let session = try PruningSession(model: model, config: PruningConfig(), data: PruningData())
        return try StructuredDirectionalPruner.families(in: session).sorted { $0.key < $1.key }.map {
            GroupRegularizedDualAveraging.GroupFamily(parameterNames: elementwise ? [$0.value.parameterNames[0]] : $0.value.parameterNames,
                                                      elementwise: elementwise)
        }
    }

    /// Test 1: c = 0 gives plain SGD (momentum 0, wd 0) bit for bit, for every tensor.
    func testZeroScaleIsSGD() throws {
        let (a, b) = (try Model(spec: spec, seed: 3), try Model(spec: spec, seed: 3))
        XCTAssertEqual(try families(a).count, 2)
        try train(a, try SGD(learningRate: 0.05))
        try train(b, try GroupRegularizedDualAveraging(learningRate: 0.05, scale: 0, exponent: 0.51, families: try families(b)))
        for (x, y) in zip(a.parameters, b.parameters) { XCTAssertEqual(x.value.scalars, y.value.scalars, x.name) }
    }

    /// Test 2: g = c sqrt(lr) (n lr)^mu at constant lr; with lr changed at step m, the sum of per-step increments.
    func testThresholdSchedule() throws {
        let parameter = Variable(Tensor(repeating: 1, shape: [2, 2]), name: "w")
        let solver = try GroupRegularizedDualAveraging(learningRate: 0.1, scale: 0.02, exponent: 0.6)
        for _ in 0..<50 { parameter.gradient = Tensor(repeating: 0, shape: [2, 2]); solver.step([parameter]) }
        let expected = 0.02 * 0.1.squareRoot() * pow(50 * 0.1, 0.6)
        XCTAssertEqual(solver.threshold, expected, accuracy: expected * 1e-6)
        solver.learningRate = 0.01
        for _ in 0..<30 { solver.step([parameter]) }
        let sum = (1...80).reduce(0.0) { total, k in
            let rate = k <= 50 ? 0.1 : 0.01
            return total + 0.02 * pow(rate, 1.1) * (pow(Double(k), 0.6) - pow(Double(k - 1), 0.6))
        }
        XCTAssertEqual(solver.threshold, sum, accuracy: sum * 1e-6)
        XCTAssertEqual(solver.stepCount, 80)
    }

    /// Test 3: v_G = (3, 4): g = 2 gives (1.8, 2.4); g = 5 or 7 gives exactly (0, 0). v starts at w_0 (zero gradient).
    func testGroupSoftThreshold() throws {
        for (g, expected) in [(2.0, [Float(1.8), 2.4]), (5, [0, 0]), (7, [0, 0])] {
            let parameter = Variable(try Tensor(shape: [1, 2], scalars: [3, 4]), name: "w")
            parameter.gradient = Tensor(repeating: 0, shape: [1, 2])
            let scale = g / pow(0.125, 1.01)   // one step at lr 0.125, mu 0.51: g_1 = c lr^(mu + 1/2)
            let solver = try GroupRegularizedDualAveraging(learningRate: 0.125, scale: scale, exponent: 0.51,
                                                           families: [.init(parameterNames: ["w"])])
            solver.step([parameter])
            XCTAssertEqual(solver.threshold, g, accuracy: 1e-9)
            for (x, y) in zip(parameter.value.scalars, expected) { XCTAssertEqual(x, y, accuracy: 1e-6) }
            if expected == [0, 0] { XCTAssertEqual(parameter.value.scalars, [0, 0]) }
        }
    }

    /// Test 4: singleton groups with s_G = 1 equal the official elementwise rule sign(v) max(|v| - g, 0), 50 steps.
    func testSingletonGroupsAreElementwiseGRDA() throws {
        let (a, b) = (try Model(spec: spec, seed: 5), try Model(spec: spec, seed: 5))
        try train(a, try GroupRegularizedDualAveraging(learningRate: 0.05, scale: 0.05, exponent: 0.51, families: try families(a, elementwise: true)), epochs: 10)
        try train(b, try ElementwiseReference(names: Set(try families(b).map { $0.parameterNames[0] })), epochs: 10)
        for (x, y) in zip(a.parameters, b.parameters) {
            XCTAssertLessThan(NetworkFixtures.relativeDifference(x.value, y.value), 1e-5, x.name)
        }
        XCTAssertGreaterThan(a.parameters[0].value.scalars.filter { $0 == 0 }.count, 0, "the threshold zeroed some weights")
    }

    /// Test 5: with zero gradients w_G = w0_G max(0, 1 - g_n / ||w0_G||): ||w0|| = 0.5 dies at the first n with
    /// g_n >= 0.5 and stays dead; a gradient that pushes ||v|| back above g revives it.
    func testDualAveragingAndRevival() throws {
        let parameter = Variable(Tensor(repeating: 0.25, shape: [1, 4]), name: "w")   // ||w0|| = 0.5 exactly
        let solver = try GroupRegularizedDualAveraging(learningRate: 0.1, scale: 2, exponent: 0.51, families: [.init(parameterNames: ["w"])])
        var died: Int?
        for n in 1...40 {
            parameter.gradient = Tensor(repeating: 0, shape: [1, 4])
            solver.step([parameter])
            let expected = Float(0.5) * GroupRegularizedDualAveraging.shrinkFactor(norm: 0.5, threshold: solver.threshold) / 0.5
            XCTAssertEqual(parameter.value.scalars[1], 0.25 * expected, accuracy: 1e-6)
            if solver.threshold >= 0.5 && died == nil { died = n; XCTAssertEqual(parameter.value.scalars, [0, 0, 0, 0]) }
            if died != nil { XCTAssertEqual(parameter.value.scalars, [0, 0, 0, 0]) }
        }
        XCTAssertEqual(died, (1...40).first { n in 2 * pow(0.1, 1.01) * pow(Double(n), 0.51) >= 0.5 })
        parameter.gradient = Tensor(repeating: -30, shape: [1, 4])
        solver.step([parameter])
        XCTAssertGreaterThan(parameter.value.scalars[1], 0, "revived")
    }

    /// Test 6: zero sets grow with g; g grows with mu only when n lr > 1 (values from sdprun.md).
    func testMonotoneThreshold() throws {
        var generator = SplitMix64(seed: 9)
        let norms = (0..<50).map { _ in Double(generator.nextUniform()) * 2 }
        let zeros = { (g: Double) in Set(norms.indices.filter { GroupRegularizedDualAveraging.shrinkFactor(norm: norms[$0], threshold: g) == 0 }) }
        for (g1, g2) in [(0.1, 0.5), (0.5, 1.2), (1.2, 1.9)] { XCTAssertTrue(zeros(g1).isSubset(of: zeros(g2))) }
        let g = { (n: Double, mu: Double) in 0.1.squareRoot() * pow(n * 0.1, mu) }
        XCTAssertEqual(g(100, 0.51), 1.0233, accuracy: 1e-4)
        XCTAssertEqual(g(100, 0.6), 1.2589, accuracy: 1e-4)
        XCTAssertEqual(g(5, 0.51), 0.2221, accuracy: 1e-4)
        XCTAssertEqual(g(5, 0.6), 0.2086, accuracy: 1e-4)
    }

    /// Test 7: after gRDA, removing the zero groups (FC consumers) leaves the logits unchanged; state round-trips.
    func testLosslessRemoval() throws {
        let model = try Model(spec: spec, seed: 6)
        var config = PruningConfig()
        config.directionalPruning.scale = 3
        (config.directionalPruning.fromScratch, config.directionalPruning.meetsTarget) = (false, false)
        config.directionalPruning.training.epochs = 3
        let session = try PruningSession(model: model, config: config, data: PruningData(training: data()))
        let pruner = StructuredDirectionalPruner()
        try session.train(try XCTUnwrap(try pruner.trainingPhase(session)))
        let images = NetworkFixtures.images(for: spec, count: 4, seed: 8), before = try NetworkFixtures.logits(model, images, training: false)
        let plan = try pruner.plan(session)
        XCTAssertGreaterThan(plan.removedUnitCount, 0)
        try session.apply(plan)
        XCTAssertTrue(try pruner.isComplete(session))
        XCTAssertLessThan(NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false), before), 1e-5)
        let solver = try XCTUnwrap(session.optimizer as? GroupRegularizedDualAveraging), state = solver.stateTensors()
        XCTAssertEqual(state["layers.0.weight.accumulator"]?.shape, model.parameters.first { $0.name == "layers.0.weight" }?.shape)
        try solver.loadStateTensors(state)
        assertThrowsPruneKitError(["unknown state 'x.y'"]) { try solver.loadStateTensors(["x.y": Tensor(repeating: 0, shape: [1])]) }
    }
}

extension PruningDirectionalTests {
    /// Option (a) with BatchNorm: a zero filter of VGG-11's last conv (BN, ReLU, then the linear classifier) still
    /// emits max(beta - gamma mu / sigma, 0); folding it into the classifier's bias makes removal exact.
    func testBatchNormConstantFoldedIntoLinearReader() throws {
        let model = try Model(spec: .vgg(depth: 11, inputShape: [3, 32, 32]), seed: 2)
        NetworkFixtures.randomizeBatchNorms(model, seed: 4)
        var config = PruningConfig()
        config.directionalPruning.meetsTarget = false
        let session = try PruningSession(model: model, config: config, data: PruningData())
        let group = try XCTUnwrap(session.graph.groups.first { $0.members.contains { $0.role == .input && $0.layerName == "classifier.0" } })
        let producer = try PrunableLayer(model, named: group.members.first { $0.role == .output }!.layerName)
        for (variable, _) in try producer.parameters(for: .output) {
            let row = variable.value.count / variable.shape[0]
            variable.value.withUnsafeMutableBufferPointer { w in for i in 3 * row..<4 * row { w[i] = 0 } }
        }
        let norm = model.namedLayers[group.members.first { $0.role == .batchNorm }!.layerName] as! BatchNorm
        norm.shift.value[flat: 3] = 0.7   // a clearly positive constant after ReLU
        let images = NetworkFixtures.images(for: model.spec, count: 2, seed: 3), before = try NetworkFixtures.logits(model, images, training: false)
        let plan = try StructuredDirectionalPruner().plan(session)
        XCTAssertEqual(plan.removals, [group.name: [3]])
        try session.apply(plan)
        XCTAssertLessThan(NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false), before), 1e-5)
    }
}

/// The official elementwise gRDA (grda_pytorch.py) written directly, for test 4.
private final class ElementwiseReference: Optimizer {
    var learningRate: Float = 0.05
    let names: Set<String>
    var (step, threshold, accumulators) = (0, 0.0, [String: [Float]]())
    init(names: Set<String>) throws { self.names = names }

    func step(_ parameters: [Variable]) {
        step += 1
        threshold += 0.05 * pow(Double(learningRate), 1.01) * (pow(Double(step), 0.51) - pow(Double(step - 1), 0.51))
        for parameter in parameters {
            guard let gradient = parameter.gradient?.scalars else { continue }
            var v = accumulators[parameter.name] ?? parameter.value.scalars
            for i in v.indices { v[i] -= learningRate * gradient[i] }
            accumulators[parameter.name] = v
            let g = names.contains(parameter.name) ? Float(threshold) : 0
            parameter.value = try! Tensor(shape: parameter.shape, scalars: v.map { ($0 < 0 ? -1 : 1) * max(abs($0) - g, 0) })
        }
    }
    func stateTensors() -> [String: Tensor] { [:] }
    func loadStateTensors(_ tensors: [String: Tensor]) throws {}
}
