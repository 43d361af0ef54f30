import XCTest
import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning
import PruneKitTestSupport

/// SFP's compact ResNet (He et al., IJCAI 2018): stream-writing convolutions narrowed to their kept filters and
/// scattered into the full-width stream, the removed channels filled with their eval-mode BN constant.
final class ScatterSurgeryTests: XCTestCase {
    private func logits(_ model: Model, _ input: Variable) throws -> Tensor {
        try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }.value
    }

    /// Random gamma, beta, running mean and variance in every batch norm, so the zeroed filters' BN constants are
    /// non-zero of both signs.
    private func randomizeBatchNorms(_ model: Model, seed: UInt64) {
        for (offset, name) in model.layerNames.enumerated() {
            guard let norm = model.namedLayers[name] as? BatchNorm else { continue }
            let c = norm.channels, base = seed &+ UInt64(offset) &* 4
            norm.scale.value = randomTensor([c], seed: base).map { 1 + 0.5 * $0 }
            norm.shift.value = randomTensor([c], seed: base + 1).map { 0.5 * $0 }
            norm.statistics.runningMean = randomTensor([c], seed: base + 2).map { 0.5 * $0 }
            norm.statistics.runningVariance = randomTensor([c], seed: base + 3).map { 0.5 + abs($0) }
        }
    }

    /// The batch norms after every stream-writing convolution: the stem's and each block's last.
    private func streamSites(_ model: Model) -> [String] {
        model.layerNames.filter { $0 == "bn1" || ($0.hasPrefix("layer") && $0.hasSuffix(".bn2")) }
    }

    /// Spec test 7a: compact logits == soft-masked logits (tol 1e-5) with random BN statistics, options A and B.
    func testCompactModelEqualsSoftMaskedModel() throws {
        for name in ["resnet20", "resnet20-b"] {
            let model = try ModelZoo.build(name: name, seed: 11)
            randomizeBatchNorms(model, seed: 40)
            let input = Variable(randomTensor([2, 3, 32, 32], seed: 12))
            var sites: [String: [Int]] = [:], generator = SplitMix64(seed: 13)
            for site in streamSites(model) {
                let convolutionName = site == "bn1" ? "conv1" : String(site.dropLast(3)) + "conv2"
                let convolution = try XCTUnwrap(model.namedLayers[convolutionName] as? Conv2d, convolutionName)
                let width = convolution.outputChannels
                let removed = Set((0..<width).shuffled(using: &generator).prefix(width * 3 / 10))
                sites[site] = (0..<width).filter { !removed.contains($0) }
                var weight = convolution.weight.value
                let rows = weight.count / width
                weight.withUnsafeMutableBufferPointer { w in for c in removed { for j in 0..<rows { w[c * rows + j] = 0 } } }
                convolution.weight.value = weight
            }
            XCTAssertEqual(sites.count, 10, name)
            let masked = try logits(model, input)
            let compact = try StructuralSurgery.insertScatters(sites, in: model)
            XCTAssertLessThan(compact.parameterCount, model.parameterCount, name)
            XCTAssertLessThan(try compact.cost().flops, try model.cost().flops, name)
            XCTAssertEqual((compact.namedLayers["layer2.1.conv2"] as? Conv2d)?.outputChannels, 32 - 9, name)
            assertClose(try logits(compact, input), masked.scalars, relative: 1e-5, absolute: 1e-5)
            // Without the BN constants the compact model is a different function: the fill matters.
            let unfilled = try StructuralSurgery.insertScatters(sites, in: model)
            for layer in unfilled.namedLayers.values { if let scatter = layer as? ChannelScatter { scatter.fill = Tensor(zeros: scatter.fill.shape) } }
            let difference = zip(try logits(unfilled, input).scalars, masked.scalars).map { abs($0 - $1) }.max()!
            XCTAssertGreaterThan(difference, 1e-3, name)
        }
    }

    func testScatterModelRoundTripsThroughJSONAndCheckpoint() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 3)
        randomizeBatchNorms(model, seed: 7)
        let compact = try StructuralSurgery.insertScatter(after: "layer1.1.bn2", keeping: [0, 2, 5, 7, 8, 9, 10, 11, 12, 13, 15], in: model)
        let scatter = try XCTUnwrap(compact.namedLayers["layer1.1.bn2_scatter"] as? ChannelScatter)
        XCTAssertEqual(scatter.fill.count, 16)
        XCTAssertTrue(compact.stateDictionaryKeys.contains("layer1.1.bn2_scatter.fill"))
        let json = try JSONEncoder().encode(compact.graph)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains("\"channel_scatter\""))
        XCTAssertEqual(try JSONDecoder().decode(NetworkGraph.self, from: json), compact.graph)
        let loaded = try checkpointRoundTrip(compact)
        XCTAssertEqual((loaded.namedLayers["layer1.1.bn2_scatter"] as? ChannelScatter)?.fill, scatter.fill)
        let input = Variable(randomTensor([2, 3, 32, 32], seed: 4))
        XCTAssertEqual(try logits(loaded, input), try logits(compact, input))
    }

    func testScatterNodeShapeErrorsAndSiteErrors() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 1)
        assertThrowsPruneKitError(["layer1.0.conv1"]) { _ = try StructuralSurgery.insertScatter(after: "layer1.0.conv1", keeping: [0], in: model) }
        assertThrowsPruneKitError(["sorted subset"]) { _ = try StructuralSurgery.insertScatter(after: "layer1.0.bn2", keeping: [3, 1], in: model) }
        let graph = try model.currentGraph().insertingScatter(after: "layer1.0.bn2", keeping: [0, 1])
        var broken = graph
        let position = try XCTUnwrap(broken.index(of: "layer1.0.bn2_scatter"))
        broken.nodes[position].operation = .channelScatter(outputChannels: 16, indices: [0, 16])
        assertThrowsPruneKitError(["layer1.0.bn2_scatter", "distinct index"]) { _ = try broken.inferShapes() }
    }

    /// The scatter is a coupling boundary: the narrowed producer and the stream it writes are not pruned again.
    func testScatteredStreamIsNotAPruningGroup() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 1)
        let compact = try StructuralSurgery.insertScatter(after: "layer1.0.bn2", keeping: Array(0..<12), in: model)
        let graph = try DependencyGraph(model: compact)
        func written(_ layer: String) -> Bool { graph.groups.contains { $0.members.contains { $0.layerName == layer && $0.role == .output } } }
        XCTAssertFalse(written("layer1.0.conv2"))
        XCTAssertFalse(written("layer1.1.conv2"))   // the stream the scatter writes
        XCTAssertTrue(written("layer1.0.conv1"))
        XCTAssertTrue(written("layer2.0.conv2"))
    }
}
