import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// baselines.md section 1: Deep Compression (Han et al. 2016): weight sharing, relative-index and Huffman coding.
final class PruningCompressionTests: XCTestCase {
    func testLinearCentroidsAndCentroidGradient() {
        var generator = SplitMix64(seed: 42)
        let values = Tensor.uniform(shape: [200], low: -1, high: 1, generator: &generator).scalars + [-1, 1]
        assertClose(try! Tensor(shape: [4], scalars: WeightSharing.linearCentroids(values, count: 4)), [-1, -1.0 / 3, 1.0 / 3, 1])
        // 2x2 weights [[0.9, -0.8], [0.85, 0]] (last pruned), k = 2: clusters {-0.8}, {0.9, 0.85}.
        let weights = try! Tensor(shape: [2, 2], scalars: [0.9, -0.8, 0.85, 0]), mask = try! Tensor(shape: [2, 2], scalars: [1, 1, 1, 0])
        let sharing = WeightSharing(weights: weights, mask: mask, bits: 1)
        XCTAssertEqual(sharing.positions, [0, 1, 2])
        XCTAssertEqual(sharing.assignments, [1, 0, 1])
        assertClose(sharing.reconstructed(), [0.875, -0.8, 0.875, 0])
        let gradient = try! Tensor(shape: [2, 2], scalars: [0.1, 0.2, 0.3, 0.4])
        XCTAssertEqual(sharing.centroidGradients(gradient), [0.2, 0.1 + 0.3], "the pruned position's 0.4 counts nowhere")
        let n = 1000
        XCTAssertEqual(WeightSharing.compressionRate(weightCount: n, clusterCount: 4), Double(32 * n) / Double(n * 2 + 4 * 32))
    }

    func testRelativeIndexEncodingWithFiller() {
        let entries = RelativeIndexEncoding.encode([1, 4, 15], bits: 3)
        XCTAssertEqual(entries.map(\.gap), [1, 3, 7, 4])
        XCTAssertEqual(entries.map(\.isFiller), [false, false, true, false], "filler zero at 4 + 7 = 11")
        XCTAssertEqual(RelativeIndexEncoding.decode(entries), [1, 4, 15])
        var generator = SplitMix64(seed: 3)
        let positions = (0..<2000).filter { _ in generator.nextUniform() < 0.05 }
        XCTAssertEqual(RelativeIndexEncoding.decode(RelativeIndexEncoding.encode(positions, bits: 5)), positions)
    }

    func testHuffmanOptimalLengthAndRoundTrip() {
        let frequencies = [45, 13, 12, 16, 9, 5]  // CLRS's example: optimal cost 224 bits
        let code = HuffmanCode(frequencies: frequencies)
        XCTAssertEqual(code.encodedBitCount(frequencies: frequencies), 224)
        XCTAssertEqual(code.lengths, [1, 3, 3, 3, 4, 4])
        var generator = SplitMix64(seed: 5)
        let symbols = (0..<500).map { _ in [0, 0, 0, 1, 2, 3, 4, 5][generator.nextInt(below: 8)] }
        let bits = code.encode(symbols)
        XCTAssertEqual(code.decode(bits, count: symbols.count), symbols)
        XCTAssertEqual(HuffmanCode(frequencies: [0, 7, 0]).lengths, [0, 1, 0], "a single symbol still costs one bit")
    }

    func testDeepCompressionPipelineReportsCompressedSize() throws {
        let model = try Model(spec: .multilayerPerceptron(hiddenFeatures: [64], inputShape: [1, 8, 8], classCount: 10), seed: 2)
        let data = TensorBatches((0..<4).map { (NetworkFixtures.images(for: model.spec, count: 8, seed: UInt64($0)),
                                                NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64($0))) })
        var config = PruningConfig()
        config.target = .channelRatio(0.9)
        var options = PruningPipeline.Options()
        options.fineTuning = PrunerRegistry.entries.first { $0.name == "deep-compression" }!.recommendedFineTuning
        options.fineTuning!.epochs = 1
        let report = try PruningPipeline.run(model: model, method: "deep-compression", config: config,
                                             data: PruningData(training: data, evaluation: data), options: options)
        let weight = (model.namedLayers["layers.0"] as! Linear).weight.value.scalars
        XCTAssertEqual(weight.filter { $0 == 0 }.count, Int(Double(64 * 64) * 0.9))
        XCTAssertLessThanOrEqual(Set(weight.filter { $0 != 0 }).count, 32, "5-bit sharing: at most 32 distinct values after fine-tuning")
        let result = try XCTUnwrap(report.results[DeepCompressionResult.self])
        let compressed = Double(result.compressedBytes), dense = Double(result.denseBytes)
        XCTAssertEqual(dense, Double(4 * model.parameterCount))
        XCTAssertGreaterThan(dense / compressed, 5)
        XCTAssertEqual(report.nonzeroAfter, report.nonzeroBefore - Int(Double(64 * 64) * 0.9) - Int(Double(640) * 0.9))
    }
}
