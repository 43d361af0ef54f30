import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// SPP end to end on a ResNet-8 (projection shortcuts) with synthetic data: column records on every pruned conv,
/// FLOPs as the records and the channel removal predict, removal on a plain link but never in a residual stream,
/// the checkpoint round trip, `--flops` targets and bad targets.
final class StructuredProbabilisticPruningEndToEndTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8, shortcut: .projection)

    private func data() -> TensorBatches {
        TensorBatches((0..<3).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(40 + $0)),
                                     NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64($0))) })
    }

    /// Multiplies input channel `unit` of every conv reading `group` by 1e-4, so its columns have the lowest L1 norms.
    private func shrinkReaders(of group: ChannelGroup, unit: Int, in model: Model) {
        for member in group.members where member.role == .input {
            guard let conv = model.namedLayers[member.layerName] as? Conv2d else { continue }
            let (rows, channels, taps) = (conv.outputChannels, conv.inputChannels, conv.kernelSize * conv.kernelSize)
            conv.weight.value.withUnsafeMutableBufferPointer { w in
                for row in 0..<rows { for channel in member.channels[unit] { for tap in 0..<taps { w[(row * channels + channel) * taps + tap] *= 1e-4 } } }
            }
        }
    }

    /// Column records by conv name.
    private func records(_ model: Model) throws -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for node in try model.currentGraph().nodes {
            if case let .convolution(attributes) = node.operation, case let .columns(kept)? = attributes.sparsity { result[node.name] = kept }
        }
        return result
    }

    func testPrunesColumnsRemovesPlainChannelsOnlyAndRoundTrips() throws {
        let model = try Model(spec: spec, seed: 3)
        NetworkFixtures.randomizeBatchNorms(model, seed: 4)
        let dense = try model.cost(), denseGraph = try DependencyGraph(model: model)
        let plain = denseGraph.groups.first { $0.kind == .layer && $0.members.contains { $0.role == .input && $0.layerName.hasSuffix("conv2") } }!
        let stream = denseGraph.groups.first { $0.kind == .residualStream && $0.members.contains { $0.role == .input } }!
        shrinkReaders(of: plain, unit: 2, in: model)
        shrinkReaders(of: stream, unit: 1, in: model)
        var config = PruningConfig()
        config.target = .channelRatio(0.5)
        config.structuredProbabilisticPruning.training.epochs = 0   // the budget top-up: column L1 norms, deterministic
        let report = try PruningPipeline.run(model: model, method: "spp", config: config, data: PruningData(training: data(), evaluation: data()))

        let graph = try DependencyGraph(model: model)
        XCTAssertEqual(try graph.group(named: plain.name).unitCount, plain.unitCount - 1, "plain link loses the emptied channel")
        XCTAssertEqual(try graph.group(named: stream.name).unitCount, stream.unitCount, "residual stream keeps its channels")
        XCTAssertEqual(report.results[StructuredProbabilisticPruningResult.self]?.channelsRemoved, 1)

        let pruned = try ColumnPruningTarget.prunedConvolutions(of: try Model(spec: spec, seed: 3), config: config)
        let kept = try records(model)
        XCTAssertEqual(Set(kept.keys), Set(pruned), "every conv but the first has a columns record")
        var expectedFlops = 0
        for layer in dense.layers {
            guard layer.kind == .convolution else { expectedFlops += layer.flops; continue }
            let conv = model.namedLayers[layer.name] as! Conv2d
            let columns = layer.inputWidth * layer.kernelSize * layer.kernelSize
            let keptColumns = kept[layer.name] == nil ? columns : columns - RemovalCountRule.removeCeiling.removalCount(units: columns, ratio: 0.5)
            XCTAssertEqual(kept[layer.name]?.count ?? keptColumns, keptColumns, "\(layer.name): removed channels' columns were all pruned")
            expectedFlops += 2 * layer.outputShape.dropFirst().reduce(1, *) * conv.outputChannels * keptColumns
        }
        XCTAssertEqual(report.flopsAfter, expectedFlops)
        XCTAssertLessThan(Double(report.flopsAfter), 0.55 * Double(report.flopsBefore))

        let loaded = try checkpointRoundTrip(model)
        XCTAssertEqual(try records(loaded), kept)
        XCTAssertEqual(try loaded.cost().flops, report.flopsAfter)
        let images = NetworkFixtures.images(for: spec, count: 2, seed: 9)
        XCTAssertEqual(try NetworkFixtures.logits(loaded, images, training: false).scalars,
                       try NetworkFixtures.logits(model, images, training: false).scalars)
    }

    /// A pruning phase that trains (one epoch, large A): P reaches the target in every layer, records follow P.
    func testPruningPhaseTrainsAndFinishes() throws {
        let model = try Model(spec: spec, seed: 5)
        var config = PruningConfig()
        config.target = .channelRatio(0.3)
        config.structuredProbabilisticPruning.increment = 0.5
        config.structuredProbabilisticPruning.training.epochs = 2
        let report = try PruningPipeline.run(model: model, method: "spp", config: config, data: PruningData(training: data()))
        let result = try XCTUnwrap(report.results[StructuredProbabilisticPruningResult.self])
        XCTAssertGreaterThan(result.iterations ?? 0, 0)
        XCTAssertGreaterThan(result.prunedByProbability ?? 0, 0)
        XCTAssertGreaterThanOrEqual(result.columnSparsity ?? 0, 0.3)
        for (name, kept) in try records(model) {
            let conv = model.namedLayers[name] as! Conv2d
            let columns = conv.inputChannels * conv.kernelSize * conv.kernelSize
            let weights = conv.weight.value.scalars, keptSet = Set(kept)
            for index in weights.indices where !keptSet.contains(index % columns) { XCTAssertEqual(weights[index], 0, "\(name) \(index)") }
        }
    }

    /// `--flops F`: one R for every pruned conv with R = (1 - F) T / P_f; the result is at most F T and within a few
    /// columns of it. An unreachable target and a parameter target are errors naming the flag.
    func testFlopsTarget() throws {
        let model = try Model(spec: spec, seed: 6)
        var config = PruningConfig()
        config.target = .flopsRatio(0.6)
        config.structuredProbabilisticPruning.training.epochs = 0
        let report = try PruningPipeline.run(model: model, method: "spp", config: config, data: PruningData(training: data()))
        XCTAssertLessThanOrEqual(Double(report.flopsAfter), 0.6 * Double(report.flopsBefore))
        XCTAssertGreaterThan(Double(report.flopsAfter), 0.58 * Double(report.flopsBefore))
        let cost = try Model(spec: spec, seed: 6).cost()
        let names = try ColumnPruningTarget.prunedConvolutions(of: model, config: config)
        assertThrowsPruneKitError(["'flops'", "a fraction above"]) {
            _ = try ColumnPruningTarget.ratio(for: .flopsRatio(0.01), cost: cost, pruned: names)
        }
        assertThrowsPruneKitError(["'params'", "--ratio R"]) {
            _ = try ColumnPruningTarget.ratio(for: .parameterRatio(0.5), cost: cost, pruned: names)
        }
    }

    /// Fine-tuning after the records are attached (SGD, weight decay 5e-4, momentum 0.9) keeps pruned columns at
    /// exactly 0. Needs the conv fast path for columns records (pruned columns get zero gradients), landing on main.
    func testFineTuningKeepsPrunedColumnsZero() throws {
        let model = try Model(spec: spec, seed: 7)
        var config = PruningConfig()
        config.target = .channelRatio(0.5)
        config.structuredProbabilisticPruning.training.epochs = 0
        var options = PruningPipeline.Options()
        var fineTuning = TrainConfig()
        (fineTuning.epochs, fineTuning.learningRate, fineTuning.momentum, fineTuning.weightDecay) = (2, 0.05, 0.9, 5e-4)
        options.fineTuning = fineTuning
        _ = try PruningPipeline.run(model: model, method: "spp", config: config, data: PruningData(training: data()), options: options)
        for (name, kept) in try records(model) {
            let conv = model.namedLayers[name] as! Conv2d
            let columns = conv.inputChannels * conv.kernelSize * conv.kernelSize, keptSet = Set(kept)
            let nonzero = conv.weight.value.scalars.indices.filter { !keptSet.contains($0 % columns) && conv.weight.value.scalars[$0] != 0 }
            XCTAssertEqual(nonzero.count, 0, "\(name): pruned columns moved during fine-tuning")
        }
    }
}
