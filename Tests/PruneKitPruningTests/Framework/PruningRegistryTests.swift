import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// One test over every registry entry: the pruned model still runs forward, with the expected channel counts
/// (structured) or sparsity (unstructured); plus the listing `prune-cli methods` prints.
final class PruningRegistryTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8, shortcut: .projection)

    private func data() -> TensorBatches {
        TensorBatches((0..<3).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(30 + $0)),
                                     NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64($0))) })
    }

    /// The smallest configuration that runs every method: half the units, one epoch or a few updates per phase.
    private func smallConfig() -> PruningConfig {
        var config = PruningConfig()
        config.target = .channelRatio(0.5)
        config.slimming.training.epochs = 1
        config.taylor.fractionPerStep = 0.2
        config.taylor.updatesPerStep = 2
        config.softFilter.epochs = 1
        (config.growingRegularization.updateInterval, config.growingRegularization.increment) = (1, 0.5)
        (config.growingRegularization.stabilizeIterations, config.growingRegularization.maximumEpochs) = (1, 1)
        (config.incrementalRegularization.training.epochs, config.directionalPruning.training.epochs) = (1, 1)
        config.structuredProbabilisticPruning.training.epochs = 1
        (config.blockPruning.searchEpochs, config.blockPruning.blockFineTuningEpochs) = (1, 1)
        return config
    }

    /// A pruner holds no state between sessions: one instance run on model A and then on model B gives, bit for
    /// bit, the weights and report numbers that a fresh instance gives on each.
    func testOnePrunerInstanceRunsLikeFreshInstances() throws {
        let config = smallConfig()
        let run = { (pruner: Pruner, name: String, seed: UInt64) throws -> (Model, PruningReport) in
            let model = try Model(spec: self.spec, seed: seed)
            let report = try PruningPipeline.run(model: model, pruner: pruner, methodName: name, config: config,
                                                 data: PruningData(training: self.data(), evaluation: self.data()))
            return (model, report)
        }
        for entry in PrunerRegistry.entries {
            let shared = try entry.makePruner(config)
            let sharedRuns = [try run(shared, entry.name, 7), try run(shared, entry.name, 8)]
            let freshRuns = [try run(try entry.makePruner(config), entry.name, 7), try run(try entry.makePruner(config), entry.name, 8)]
            for ((sharedModel, sharedReport), (freshModel, freshReport)) in zip(sharedRuns, freshRuns) {
                XCTAssertEqual(sharedModel.parameters.map(\.name), freshModel.parameters.map(\.name), entry.name)
                for (a, b) in zip(sharedModel.parameters, freshModel.parameters) {
                    XCTAssertEqual(a.value.scalars, b.value.scalars, "\(entry.name) \(a.name)")
                }
                XCTAssertEqual(sharedReport.flopsAfter, freshReport.flopsAfter, entry.name)
                XCTAssertEqual(sharedReport.nonzeroAfter, freshReport.nonzeroAfter, entry.name)
                XCTAssertEqual(sharedReport.accuracyAfterPruning, freshReport.accuracyAfterPruning, entry.name)
                XCTAssertEqual(sharedReport.results, freshReport.results, entry.name)
            }
        }
    }

    func testEveryEntryPrunesAndRuns() throws {
        XCTAssertEqual(PrunerRegistry.names, ["l1", "l2", "random", "taylor", "slimming", "magnitude", "deep-compression",
                                              "sfp", "greg-1", "greg-2", "increg", "spp", "sdprun", "greedy", "eigendamage", "c-obd", "kron-obd", "kron-obs", "c-obs", "bpcp", "bmwm", "darb"])
        for entry in PrunerRegistry.entries {
            let model = try Model(spec: spec, seed: 7)
            let config = smallConfig()
            let denseGraph = try DependencyGraph(model: model), denseCount = model.parameterCount
            let report = try PruningPipeline.run(model: model, method: entry.name, config: config,
                                                 data: PruningData(training: data(), evaluation: data()))
            let logits = try NetworkFixtures.logits(model, NetworkFixtures.images(for: spec, count: 2, seed: 1), training: false)
            XCTAssertEqual(logits.shape, [2, 10], entry.name)
            XCTAssertNotNil(report.accuracyAfterPruning, entry.name)
            if entry.isStructured {
                let graph = try DependencyGraph(model: model)
                let total = { (graph: DependencyGraph) in graph.groups.reduce(0) { $0 + $1.unitCount } }
                let removed = total(denseGraph) - total(graph)
                if try model.cost().flops >= report.flopsBefore { XCTFail("\(entry.name) removed nothing") }
                if entry.name == "bpcp" {  // a budget of int(BN channels * 0.5) after block removal, which only lowers them
                    let batchNormChannels = { (graph: DependencyGraph) in graph.groups.reduce(0) { $0 + ChannelBudgetSelection.batchNormChannels(of: $1).reduce(0, +) } }
                    XCTAssertLessThanOrEqual(batchNormChannels(graph), (batchNormChannels(denseGraph) + 1) / 2, entry.name)
                    continue
                } else if entry.name == "spp" {  // column records, not channels; SPP's own tests check them
                    XCTAssertTrue(try model.currentGraph().nodes.contains { node in
                        if case let .convolution(attributes) = node.operation { return attributes.sparsity != nil }
                        return false
                    }, "spp attaches column records")
                    continue
                } else if ["increg", "sdprun"].contains(entry.name) {
                    continue  // residual streams are not regularised; their own tests check the counts
                } else if entry.name == "greedy" {  // eligible block-internal layers capped by the target's uniform count
                    let eligible = Set(GreedySelectionPruner.eligibleGroups(denseGraph, model: model, config: config))
                    for group in graph.groups {
                        let dense = try denseGraph.group(named: group.name).unitCount
                        if eligible.contains(group.name) { XCTAssertLessThanOrEqual(group.unitCount, dense - dense / 2, group.name) }
                        else { XCTAssertEqual(group.unitCount, dense, "greedy leaves \(group.name) whole") }
                    }
                } else if entry.name == "eigendamage" {
                    continue  // prunes eigen-directions of new groups; EigenDamagePruningTests checks them
                } else if entry.name.hasPrefix("greg") {  // block-internal groups only (greg.md ResNet rule)
                    for group in graph.groups {
                        let dense = try denseGraph.group(named: group.name).unitCount
                        XCTAssertEqual(group.unitCount, group.kind == .layer ? dense / 2 : dense, "\(entry.name) \(group.name)")
                    }
                } else if config.scope ?? .uniform == .uniform && ["l1", "l2", "random", "sfp"].contains(entry.name) {
                    for group in graph.groups {
                        XCTAssertEqual(group.unitCount, try denseGraph.group(named: group.name).unitCount / 2, "\(entry.name) \(group.name)")
                    }
                } else {
                    XCTAssertEqual(removed, total(denseGraph) / 2 + (entry.name == "slimming" ? 1 : 0), "\(entry.name): half of all units, globally")
                }
            } else {
                XCTAssertEqual(model.parameterCount, denseCount, "\(entry.name) keeps shapes")
                if ["bmwm", "darb"].contains(entry.name) {  // block records on every conv but the first (RegularBlockPruningTests)
                    let recorded = try RegularBlockLayers.recorded(in: model)
                    XCTAssertFalse(recorded.isEmpty, entry.name)
                    for (layer, sizes) in recorded {
                        let kept = RegularBlockMatrix.keptCount(columns: layer.columns, blockSizes: sizes)
                        XCTAssertLessThanOrEqual(layer.weight.value.scalars.filter { $0 != 0 }.count, kept, "\(entry.name) \(layer.name)")
                        XCTAssertLessThanOrEqual(kept, layer.rows * layer.columns / 2 + layer.rows, "\(entry.name) \(layer.name)")
                    }
                    continue
                }
                let weights = model.parameters.filter { $0.shape.count >= 2 }
                let zeros = weights.reduce(0) { $0 + $1.value.scalars.filter { $0 == 0 }.count }
                XCTAssertEqual(zeros, weights.reduce(0) { $0 + Int(Double($1.value.count) * 0.5) }, entry.name)
            }
        }
    }

    func testListingAndUnknownMethod() throws {
        let lines = PrunerRegistry.listing.split(separator: "\n")
        XCTAssertEqual(lines.count, PrunerRegistry.entries.count)
        XCTAssertTrue(lines[0].hasPrefix("l1  "))
        assertThrowsPruneKitError(["parameter 'method'", "'c-obc'", "l1, l2"]) { _ = try PrunerRegistry.entry(named: "c-obc") }
    }
}
