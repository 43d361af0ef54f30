import XCTest
import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// EigenDamage on a real (tiny) network: exact rewrite before removal, targets, iterative rebasing, checkpoints, and
/// L1 pruning the bottleneck network again.
final class EigenDamagePruningTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8, shortcut: .projection)

    private func batches(_ count: Int = 2) -> TensorBatches {
        TensorBatches((0..<count).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(40 + $0)),
                                         NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64($0))) })
    }

    private func logits(_ model: Model, _ input: Tensor) throws -> Tensor {
        try GradientMode.withoutGradients { try model(Variable(input), ForwardContext(training: false)) }.value
    }

    /// Trained-looking statistics: running means and variances away from 0 and 1.
    private func model(seed: UInt64) throws -> Model {
        let model = try Model(spec: spec, seed: seed)
        for batchNorm in model.namedLayers.values.compactMap({ $0 as? BatchNorm }) {
            batchNorm.statistics.runningMean = randomTensor([batchNorm.channels], seed: seed &+ 1).map { $0 * 0.1 }
        }
        return model
    }

    /// 3. Every considered conv rewritten in its collected eigenbasis: the same logits to 1e-4 before any removal.
    func testRewriteInTheEigenbasisIsExact() throws {
        let model = try model(seed: 3), input = NetworkFixtures.images(for: spec, count: 4, seed: 9)
        let expected = try logits(model, input)
        let layers = try EigenDamageLayer.considered(in: model)
        XCTAssertEqual(layers.count, (try model.currentGraph().nodes.filter { if case .convolution = $0.operation { true } else { false } }).count)
        let collector = KroneckerFactorCollector(layers: layers.map { ($0.name, $0.observed) }, includesBias: false)
        try collector.collect(model: model, batches: batches(), batchLimit: nil, labels: .sampled, seed: 1)
        XCTAssertEqual(collector.images, 16)
        var rewritten = model
        for layer in layers {
            let basis = try KroneckerEigenbasis(factors: collector.factors[layer.name]!, inputChannels: layer.observed.inputChannels)
            XCTAssertGreaterThan(basis.outputValues.last!, 0, layer.name)
            rewritten = try StructuralSurgery.factorise(layer.name, in: rewritten, inputBasis: try basis.inputBasisTensor(),
                                                        outputBasis: try basis.outputBasisTensor())
        }
        XCTAssertGreaterThan(rewritten.parameterCount, model.parameterCount)
        assertClose(try logits(rewritten, input), expected.scalars, relative: 1e-4, absolute: 1e-4)
    }

    /// Iterative mode: rotating a factorised layer into a new basis (composing rotations) keeps its function.
    func testRebaseComposesRotationsExactly() throws {
        let model = try model(seed: 4), input = NetworkFixtures.images(for: spec, count: 2, seed: 10)
        let factorised = try StructuralSurgery.factorise("layer1.0.conv1", in: model)
        let expected = try logits(factorised, input)
        let layer = try EigenDamageLayer.considered(in: factorised).first { $0.name == "layer1.0.conv1" }!
        var factors = KroneckerFactors(inputSize: 16, outputSize: 16)
        let m = randomTensor([16, 16], seed: 12).scalars.map(Double.init)
        for a in 0..<16 { for b in 0..<16 { factors.input[a * 16 + b] = (0..<16).reduce(0.0) { $0 + m[a * 16 + $1] * m[b * 16 + $1] } } }
        factors.output = factors.input.reversed()  // symmetric too
        let basis = try KroneckerEigenbasis(factors: factors, inputChannels: 16)
        try EigenbasisRebase.rebase(layer.factorised!, basis: basis)
        assertClose(try logits(factorised, input), expected.scalars, relative: 1e-4, absolute: 1e-4)
        XCTAssertNotEqual(layer.factorised!.core.weight.value.scalars, (model.namedLayers["layer1.0.conv1"] as! Conv2d).weight.value.scalars)
    }

    /// One pass at a FLOPs target: met, counted with the rotation layers, checkpoint round trip, L1 prunes again.
    func testFlopsTargetCheckpointAndL1Again() throws {
        let model = try model(seed: 5), input = NetworkFixtures.images(for: spec, count: 2, seed: 11)
        var config = PruningConfig()
        config.target = .flopsRatio(0.5)
        let report = try PruningPipeline.run(model: model, method: "eigendamage", config: config,
                                             data: PruningData(training: batches(), evaluation: batches(1)))
        XCTAssertLessThanOrEqual(Double(report.flopsAfter), 0.5 * Double(report.flopsBefore))
        XCTAssertGreaterThan(Double(report.flopsAfter), 0.4 * Double(report.flopsBefore), "the bisection stops near the target")
        let graph = try model.currentGraph()
        let factorised = graph.nodes.filter { if case .factorisedConvolution = $0.operation { true } else { false } }
        XCTAssertFalse(factorised.isEmpty)
        XCTAssertEqual(try model.cost().flops, report.flopsAfter)
        let loaded = try checkpointRoundTrip(model)
        XCTAssertEqual(try logits(loaded, input), try logits(model, input))
        XCTAssertTrue(loaded.stateDictionaryKeys.contains(factorised[0].name + ".rotation_in.weight"))
        var again = PruningConfig()
        again.target = .flopsRatio(0.8)
        let second = try PruningPipeline.run(model: loaded, method: "l1", config: again, data: PruningData(training: batches()))
        XCTAssertLessThan(second.flopsAfter, second.flopsBefore)
        XCTAssertEqual(try logits(loaded, input).shape, [2, 10])
    }

    /// Ratio target: the paper's fraction of all directions; two iterative steps rebase and prune the cores again.
    func testRatioTargetAndIterativeSteps() throws {
        let model = try model(seed: 6)
        var config = PruningConfig()
        config.target = .channelRatio(0.3)
        config.iterativeSteps = 2
        config.eigenDamage.ratioLimit = 0.5
        var lines: [String] = []
        var options = PruningPipeline.Options()
        options.log = { lines.append($0) }
        let report = try PruningPipeline.run(model: model, method: "eigendamage", config: config,
                                             data: PruningData(training: batches()), options: options)
        let steps = lines.filter { $0.hasPrefix("eigendamage step") }
        XCTAssertEqual(steps.count, 2, lines.joined(separator: "\n"))
        XCTAssertLessThan(report.flopsAfter, report.flopsBefore)
        let second = try EigenDamageLayer.considered(in: model).filter { $0.factorised != nil }
        XCTAssertFalse(second.isEmpty)
        for layer in second {  // two steps at cap 0.5 leave at least a quarter of a side
            XCTAssertGreaterThanOrEqual(4 * layer.observed.inputChannels, layer.factorised!.rotationIn.inputChannels / 2, layer.name)
        }
    }

    /// An unreachable target names the parameter and the costs.
    func testUnreachableTargetThrows() throws {
        var config = PruningConfig()
        config.target = .flopsRatio(0.01)
        assertThrowsPruneKitError(["target", "largest threshold"]) {
            _ = try PruningPipeline.run(model: try self.model(seed: 7), method: "eigendamage", config: config,
                                        data: PruningData(training: self.batches(1)))
        }
    }
}
