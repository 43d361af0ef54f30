import XCTest
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Column sparsity as part of the network: IncReg's column masks become `SparsityRecord.columns` at the end of
/// pruning, the convs compute only their kept columns, fine-tuning (with weight decay and momentum) keeps the pruned
/// columns exactly 0, FLOPs count the kept columns, and a checkpoint round trip keeps records and logits; magnitude
/// column pruning (`StructuralSurgery.pruneColumns`) and channel surgery on a column-sparse conv.
final class ColumnSparsityRecordTests: XCTestCase {
    private func data(_ spec: ModelSpec, seed: UInt64) -> TensorBatches {
        TensorBatches((0..<3).map { (NetworkFixtures.images(for: spec, count: 8, seed: seed + UInt64($0)),
                                     NetworkFixtures.labels(count: 8, classes: spec.classCount, seed: seed + UInt64($0))) })
    }

    func testIncRegColumnMasksBecomeRecordsThatFineTuningKeeps() throws {
        let model = try Model(spec: .leNet5(classic: true), seed: 4)
        var config = PruningConfig()
        config.target = .flopsRatio(0.7)
        config.incrementalRegularization.unit = .columns
        (config.incrementalRegularization.unitIncrement, config.incrementalRegularization.training.epochs) = (0.05, 10)
        var options = PruningPipeline.Options()
        options.fineTuning = TrainConfig()
        options.fineTuning!.epochs = 2
        (options.fineTuning!.learningRate, options.fineTuning!.momentum, options.fineTuning!.weightDecay) = (0.05, 0.9, 5e-3)
        options.latencyBatchSizes = []
        let report = try PruningPipeline.run(model: model, method: "increg", config: config,
                                             data: PruningData(training: data(model.spec, seed: 1)), options: options)
        let conv2 = try XCTUnwrap(model.namedLayers["conv2"] as? Conv2d)
        let columns = try XCTUnwrap(conv2.columns, "conv2 should carry a columns record")
        XCTAssertLessThan(columns.kept.count, columns.columnCount)
        let keep = Set(columns.kept)
        conv2.weight.value.withUnsafeBufferPointer { w in
            for index in w.indices where !keep.contains(index % columns.columnCount) {
                XCTAssertEqual(w[index], 0, "pruned column \(index % columns.columnCount) moved during fine-tuning")
            }
        }
        XCTAssertEqual(report.flopsAfter, try model.cost().flops)
        // IncReg's column ratio comes from the target over conv columns; the linear layers keep their FLOPs.
        XCTAssertLessThan(Double(report.flopsAfter), 0.75 * Double(report.flopsBefore))
        guard case let .convolution(attributes) = try model.currentGraph().nodes.first(where: { $0.name == "conv2" })!.operation else {
            return XCTFail("conv2 is not a convolution node")
        }
        XCTAssertEqual(attributes.sparsity, .columns(kept: columns.kept))
        try assertCheckpointRoundTrip(model)
    }

    func testMagnitudeColumnsSkipTheFirstConvAndHalveTheRest() throws {
        let model = try Model(spec: ModelZoo.spec(named: "resnet20"), seed: 2)
        let sparse = try StructuralSurgery.pruneColumns(fraction: 0.5, in: model)
        XCTAssertNil((sparse.namedLayers["conv1"] as! Conv2d).columns)
        let conv = sparse.namedLayers["layer2.0.conv1"] as! Conv2d
        XCTAssertEqual(conv.columns?.kept.count, 16 * 9 / 2)
        let dense = try model.cost(), pruned = try sparse.cost()
        let firstConvFlops = dense.layers.first { $0.name == "conv1" }!.flops
        let otherConvFlops = dense.layers.filter { $0.name != "conv1" && $0.kind == .convolution }.reduce(0) { $0 + $1.flops }
        XCTAssertEqual(Double(dense.flops - pruned.flops), Double(otherConvFlops) / 2, accuracy: 0.01 * Double(otherConvFlops))
        XCTAssertGreaterThan(firstConvFlops, 0)
        try assertCheckpointRoundTrip(sparse)
    }

    func testInputChannelSurgeryRenumbersColumns() throws {
        let model = try StructuralSurgery.pruneColumns(fraction: 0.5, in: try Model(spec: .leNet5(classic: true), seed: 3))
        let conv2 = model.namedLayers["conv2"] as! Conv2d
        let before = try XCTUnwrap(conv2.columns)
        let images = NetworkFixtures.images(for: model.spec, count: 2, seed: 9)
        // Zero the whole of input channel 1's columns' weights, then remove channel 1 (conv1 filter 1 and conv2 input 1).
        var weight = conv2.weight.value
        weight.withUnsafeMutableBufferPointer { w in for o in 0..<16 { for i in 0..<25 { w[(o * 6 + 1) * 25 + i] = 0 } } }
        conv2.weight.value = weight
        let expected = try NetworkFixtures.logits(model, images, training: false)
        try ChannelSurgery.remove(["conv1": [1]], graph: try DependencyGraph(model: model), from: model)
        let after = try XCTUnwrap(conv2.columns)
        XCTAssertEqual(after.channels, 5)
        XCTAssertEqual(after.kept, before.kept.filter { $0 / 25 != 1 }.map { $0 / 25 > 1 ? $0 - 25 : $0 })
        XCTAssertLessThan(NetworkFixtures.relativeDifference(try NetworkFixtures.logits(model, images, training: false), expected), 1e-5)
        try assertCheckpointRoundTrip(model)
    }

    /// Saves, reloads and compares spec, columns and evaluation logits.
    private func assertCheckpointRoundTrip(_ model: Model, file: StaticString = #filePath, line: UInt = #line) throws {
        let loaded = try checkpointRoundTrip(model)
        XCTAssertEqual(try loaded.currentSpec(), try model.currentSpec(), file: file, line: line)
        for name in model.layerNames {
            XCTAssertEqual((loaded.namedLayers[name] as? Conv2d)?.columns, (model.namedLayers[name] as? Conv2d)?.columns, name,
                           file: file, line: line)
        }
        let images = NetworkFixtures.images(for: model.spec, count: 2, seed: 11)
        XCTAssertEqual(try NetworkFixtures.logits(loaded, images, training: false), try NetworkFixtures.logits(model, images, training: false),
                       file: file, line: line)
    }
}
