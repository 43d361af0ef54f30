import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Each criterion against a hand computation on a tiny model.
final class PruningImportanceTests: XCTestCase {
    /// MLP 2 -> 4 -> 2 with hand-set weights.
    private func tinyMLP() throws -> Model {
        let model = try Model(spec: .multilayerPerceptron(hiddenFeatures: [4], inputShape: [1, 1, 2], classCount: 2), seed: 1)
        let hidden = model.namedLayers["layers.0"] as! Linear, output = model.namedLayers["layers.1"] as! Linear
        hidden.weight.value = try Tensor(shape: [4, 2], scalars: [1, -2, 0.5, 0.5, -3, 0, 0, 0.1])
        hidden.bias!.value = try Tensor(shape: [4], scalars: [0.1, -0.2, 0.3, 0.05])
        output.weight.value = try Tensor(shape: [2, 4], scalars: [1, 0, -1, 2, 0.5, -0.5, 0.25, 1])
        output.bias!.value = try Tensor(shape: [2], scalars: [0, 0.1])
        return model
    }

    func testFilterNorms() throws {
        let model = try tinyMLP(), group = try DependencyGraph(model: model).group(named: "layers.0")
        assertClose(try Tensor(shape: [4], scalars: XCTUnwrap(MagnitudeImportance(norm: 1).scores(for: group, in: model))), [3, 1, 3, 0.1])
        assertClose(try Tensor(shape: [4], scalars: XCTUnwrap(MagnitudeImportance(norm: 2).scores(for: group, in: model))),
                    [Float(5).squareRoot(), Float(0.5).squareRoot(), 3, 0.1])
        // With the reader's columns |[1, .5]|, |[0, -.5]|, |[-1, .25]|, |[2, 1]| as a second member.
        let readers = { (reduction: GroupReduction) in
            try XCTUnwrap(MagnitudeImportance(norm: 1, reduction: reduction, includeReaders: true).scores(for: group, in: model))
        }
        assertClose(try Tensor(shape: [4], scalars: readers(.sum)), [4.5, 1.5, 4.25, 3.1])
        assertClose(try Tensor(shape: [4], scalars: readers(.mean)), [2.25, 0.75, 2.125, 1.55])
        assertClose(try Tensor(shape: [4], scalars: readers(.max)), [3, 1, 3, 3])
    }

    /// Li et al.'s test: s_j = sum |F_j| on a hand-made 4-filter conv.
    func testL1OnFourFilterConvolution() throws {
        var spec = ModelSpec.leNet5()
        try spec.setWidth(of: "conv1", to: 4)
        let model = try Model(spec: spec, seed: 1), conv = model.namedLayers["conv1"] as! Conv2d
        conv.weight.value = Tensor(zeros: [4, 1, 5, 5]).map { _ in 0 }
        conv.weight.value.withUnsafeMutableBufferPointer { w in
            for j in 0..<4 { for i in 0..<25 { w[j * 25 + i] = (i % 2 == 0 ? 1 : -1) * Float(j + 1) * 0.01 } }
        }
        let scores = try XCTUnwrap(MagnitudeImportance(norm: 1).scores(for: DependencyGraph(model: model).group(named: "conv1"), in: model))
        assertClose(try Tensor(shape: [4], scalars: scores), [0.25, 0.5, 0.75, 1.0])
    }

    func testBatchNormScaleAndReductionsOverAStream() throws {
        let model = try Model(spec: .resNet(depth: 8, shortcut: .projection), seed: 1)
        let graph = try DependencyGraph(model: model)
        let bn1 = model.namedLayers["layer1.0.bn1"] as! BatchNorm
        bn1.scale.value = Tensor.ramp(shape: [16], start: -8, step: 1)
        XCTAssertEqual(try BatchNormScaleImportance().scores(for: graph.group(named: "layer1.0.conv1"), in: model),
                       (0..<16).map { abs(Float($0) - 8) })
        // Stream layer1: members bn1 (stem) and layer1.0.bn2.
        (model.namedLayers["bn1"] as! BatchNorm).scale.value = Tensor(repeating: -0.5, shape: [16])
        (model.namedLayers["layer1.0.bn2"] as! BatchNorm).scale.value = Tensor.ramp(shape: [16], step: 0.1)
        let stream = try graph.group(named: "layer1")
        let expected = (0..<16).map { (a: Float(0.5), b: Float($0) * 0.1) }
        assertClose(try Tensor(shape: [16], scalars: XCTUnwrap(BatchNormScaleImportance(reduction: .max).scores(for: stream, in: model))),
                    expected.map { max($0.a, $0.b) })
        assertClose(try Tensor(shape: [16], scalars: XCTUnwrap(BatchNormScaleImportance(reduction: .sum).scores(for: stream, in: model))),
                    expected.map { $0.a + $0.b })
        XCTAssertNil(try BatchNormScaleImportance().scores(for: DependencyGraph(model: tinyMLP()).group(named: "layers.0"), in: tinyMLP()))
    }

    /// Molchanov's Theta = mean_n |(1/M) sum_m g z| from the hand-derived gradient of mean cross-entropy.
    func testTaylorAgainstHandComputation() throws {
        let model = try tinyMLP()
        let x: [[Float]] = [[1, 0.5], [-1, 2], [0.3, -0.7]], labels = [0, 1, 1]
        let images = try Tensor(shape: [3, 1, 1, 2], scalars: x.flatMap { $0 })
        let taylor = TaylorImportance()
        try taylor.prepare(model: model, data: TensorBatches([(images, labels)]))
        let scores = try XCTUnwrap(taylor.scores(for: DependencyGraph(model: model).group(named: "layers.0"), in: model))
        let w1: [[Float]] = [[1, -2], [0.5, 0.5], [-3, 0], [0, 0.1]], b1: [Float] = [0.1, -0.2, 0.3, 0.05]
        let w2: [[Float]] = [[1, 0, -1, 2], [0.5, -0.5, 0.25, 1]], b2: [Float] = [0, 0.1]
        var expected = [Float](repeating: 0, count: 4), signs = Set<Bool>()
        for (n, input) in x.enumerated() {
            let z = (0..<4).map { j in w1[j][0] * input[0] + w1[j][1] * input[1] + b1[j] }
            let a = z.map { max($0, 0) }
            let logits = (0..<2).map { k in (0..<4).reduce(b2[k]) { $0 + w2[k][$1] * a[$1] } }
            let exps = logits.map { exp($0 - logits.max()!) }, p = exps.map { $0 / exps.reduce(0, +) }
            let dLogits = (0..<2).map { (p[$0] - ($0 == labels[n] ? 1 : 0)) / 3 }  // mean over the batch of 3
            for j in 0..<4 {
                let dz = z[j] > 0 ? (0..<2).reduce(0) { $0 + w2[$1][j] * dLogits[$1] } : 0
                expected[j] += abs(dz * z[j]) / 3
                if dz * z[j] != 0 { signs.insert(dz * z[j] > 0) }
            }
        }
        XCTAssertEqual(signs.count, 2, "the data has examples of both signs, so the per-example absolute value matters")
        assertClose(try Tensor(shape: [4], scalars: scores), expected, relative: 1e-4, absolute: 1e-7)
    }

    func testNormalizationAndRandom() throws {
        XCTAssertEqual(ScoreNormalization.l2.normalize([3, 4]), [0.6, 0.8])
        let normalized = ScoreNormalization.l2.normalize([0.2, 7, 1.5, 3])
        XCTAssertEqual(normalized.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-6)
        XCTAssertEqual(ScoreNormalization.mean.normalize([1, 3]), [0.5, 1.5])
        XCTAssertEqual(GroupReduction.max.reduce([[1, 5], [3, 2]]), [3, 5])
        let graph = try DependencyGraph(spec: .resNet(depth: 8)), model = try Model(spec: .resNet(depth: 8), seed: 1)
        let first = try XCTUnwrap(RandomImportance(seed: 3).scores(for: graph.groups[0], in: model))
        XCTAssertEqual(first, try RandomImportance(seed: 3).scores(for: graph.groups[0], in: model))
        XCTAssertNotEqual(first, try RandomImportance(seed: 3).scores(for: graph.groups[1], in: model))
        XCTAssertTrue(first.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}
