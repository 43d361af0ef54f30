import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// Inference split over images (`Model.forward` with `inferenceTile` > 0: whole forward passes per thread on
/// sub-batches) computes each image as the per-layer path does: nothing is reduced across images. The logits
/// agree to float rounding (sgemm sums a row in an order that depends on where the row falls in its tiling),
/// for every tile size, including tiles that do not divide a thread's run and stacked 8x8/4x4 groups cut short.
final class ParallelInferenceTests: XCTestCase {
    private var threads = 1, tile = 0
    override func setUp() { (threads, tile) = (Parallel.threadCount, Model.inferenceTile); Parallel.threadCount = 2 }
    override func tearDown() { (Parallel.threadCount, Model.inferenceTile) = (threads, tile) }

    func testPerThreadInferenceMatchesPerLayerInference() throws {
        for name in ["resnet20", "wrn-10-2", "vgg11", "lenet5-classic", "mlp"] {
            let model = try ModelZoo.build(name: name, seed: 5)
            NetworkFixtures.randomizeBatchNorms(model, seed: 6)
            let input = Variable(randomTensor([11] + model.spec.inputShape, seed: 7))
            let context = ForwardContext(training: false)
            Model.inferenceTile = 0
            let reference = try GradientMode.withoutGradients { try model(input, context).value }
            for tile in [1, 4, 24] {
                Model.inferenceTile = tile
                let split = try GradientMode.withoutGradients { try model(input, context).value }
                XCTAssertEqual(split.shape, reference.shape, "\(name) tile \(tile)")
                assertClose(split, reference.scalars, shape: reference.shape, relative: 1e-5,
                            absolute: 1e-5 * max(reference.maxAbsolute(), 1), "\(name) tile \(tile)")
            }
            XCTAssertNil(context.inferenceWeights, "the per-call weight cache is dropped after the call")
        }
    }

    func testTrainingAndRecordedEvaluationDoNotSplit() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 5)
        let input = Variable(randomTensor([4] + model.spec.inputShape, seed: 7))
        Model.inferenceTile = 1
        XCTAssertFalse(model.splitsBatchAcrossThreads(input, ForwardContext(training: true)))
        XCTAssertFalse(model.splitsBatchAcrossThreads(input, ForwardContext(training: false)), "gradients on: no fused path")
        GradientMode.withoutGradients {
            XCTAssertTrue(model.splitsBatchAcrossThreads(input, ForwardContext(training: false)))
            XCTAssertFalse(model.splitsBatchAcrossThreads(Variable(randomTensor([1] + model.spec.inputShape, seed: 7)),
                                                           ForwardContext(training: false)), "one image")
        }
    }

    func testNestedChunksRunSeriallyOnTheWorkerThread() {
        let lock = NSLock()
        var inner: [(outer: Int, chunks: Int, covered: Int)] = []
        XCTAssertFalse(Parallel.isNested)
        Parallel.forEachChunk(count: 2) { outer, _ in
            XCTAssertTrue(Parallel.isNested)
            var chunks = 0, covered = 0
            Parallel.forEachChunk(count: 10) { _, range in chunks += 1; covered += range.count }
            lock.lock(); inner.append((outer, chunks, covered)); lock.unlock()
        }
        XCTAssertFalse(Parallel.isNested)
        XCTAssertEqual(inner.count, 2)
        for entry in inner { XCTAssertEqual(entry.chunks, 1); XCTAssertEqual(entry.covered, 10) }
    }

    func testInferenceWeightCacheFoldsEachLayerOnce() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 5)
        let convolution = try XCTUnwrap(model.namedLayers["layer1.0.conv1"] as? Conv2d)
        let batchNorm = try XCTUnwrap(model.namedLayers["layer1.0.bn1"] as? BatchNorm)
        let cache = InferenceWeightCache()
        let geometry = WindowGeometry(channels: 16, height: 8, width: 8, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
        var made = 0
        let make = {
            made += 1
            return try PreparedConvolutionWeights(weight: convolution.weight.value, bias: nil, batchNorm: nil, geometry: geometry)
        }
        let first = try cache.weights(for: convolution, geometry: geometry, make)
        let second = try cache.weights(for: convolution, geometry: geometry, make)
        XCTAssertTrue(first === second)
        XCTAssertEqual(made, 1)
        _ = try cache.weights(for: batchNorm, geometry: geometry, make)
        XCTAssertEqual(made, 2, "another layer gets its own entry")
    }

    func testImagesAndConcatenationRoundTrip() throws {
        let x = randomTensor([5, 2, 3], seed: 1)
        let pieces = [x.images(0..<2), x.images(2..<3), x.images(3..<5)]
        XCTAssertEqual(pieces.map(\.shape), [[2, 2, 3], [1, 2, 3], [2, 2, 3]])
        XCTAssertEqual(Array(pieces[1].scalars), Array(x.scalars[12..<18]))
        XCTAssertEqual(try Tensor(concatenatingImages: pieces).scalars, x.scalars)
        assertThrowsPruneKitError(["concatenatingImages", "[N] + [2, 3]", "[1, 3, 2]"]) {
            _ = try Tensor(concatenatingImages: [x.images(0..<1), randomTensor([1, 3, 2], seed: 2)])
        }
    }
}
