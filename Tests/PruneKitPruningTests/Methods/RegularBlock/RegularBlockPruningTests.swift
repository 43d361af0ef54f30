import XCTest
import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// BMWM and DARB end to end on a small MLP with synthetic data: records on the pruned nodes, the realised keep ratio,
/// the mask kept through fine-tuning (darb.md test 7), storage results, and a checkpoint save/load round trip.
final class RegularBlockPruningTests: XCTestCase {
    private func model() throws -> Model {
        try Model(spec: .multilayerPerceptron(hiddenFeatures: [96, 64], inputShape: [1, 16, 16], classCount: 3), seed: 1)
    }

    private func data(_ model: Model) -> TensorBatches {
        TensorBatches((0..<8).map { (NetworkFixtures.images(for: model.spec, count: 8, seed: UInt64($0)),
                                     NetworkFixtures.labels(count: 8, classes: 3, seed: UInt64($0))) })
    }

    private func blockSizes(_ model: Model) throws -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: try RegularBlockLayers.recorded(in: model).map { ($0.layer.name, $0.blockSizes) })
    }

    /// 7 and the result form: DARB at 8x leaves `.blocks` records on layers.0 and layers.1 (not the 64-input classifier),
    /// keeps at most rho R N entries (within one row-step), masked positions stay exactly 0 through 3 epochs of SGD with
    /// momentum and decay while kept weights move, and the checkpoint reloads with the same records, weights and logits.
    func testDensityAdaptivePruneFineTuneSaveAndLoad() throws {
        let model = try model(), batches = data(model)
        var config = PruningConfig()
        config.regularBlock.compression = 8
        var options = PruningPipeline.Options()
        var recipe = PrunerRegistry.entries.first { $0.name == "darb" }!.recommendedFineTuning
        (recipe.epochs, recipe.learningRate) = (3, 0.05)
        options.fineTuning = recipe
        let before = (model.namedLayers["layers.0"] as! Linear).weight.value.scalars
        let report = try PruningPipeline.run(model: model, method: "darb", config: config, data: PruningData(training: batches), options: options)
        let sizes = try blockSizes(model)
        XCTAssertEqual(Set(sizes.keys), ["layers.0", "layers.1"])
        for (name, columns, rows) in [("layers.0", 256, 96), ("layers.1", 96, 64)] {
            let weight = (model.namedLayers[name] as! Linear).weight.value.scalars
            let kept = RegularBlockMatrix.keptCount(columns: columns, blockSizes: sizes[name]!)
            XCTAssertLessThanOrEqual(kept, rows * columns / 8, name)
            XCTAssertGreaterThan(kept, rows * columns / 8 - columns, "\(name): within one row-step of rho R N")
            XCTAssertLessThanOrEqual(weight.filter { $0 != 0 }.count, kept, "\(name): masked positions are exactly 0 after fine-tuning")
            let mask = SparsityRecord.blocks(rowBlockSizes: sizes[name]!).mask(for: try Tensor(shape: [rows, columns], scalars: weight),
                                                                              rows: rows, columns: columns)
            XCTAssertTrue(zip(weight, mask).allSatisfy { $1 == 1 || $0 == 0 })
        }
        let after = (model.namedLayers["layers.0"] as! Linear).weight.value.scalars
        XCTAssertTrue(zip(before, after).contains { $1 != 0 && $0 != $1 }, "fine-tuning moved the kept weights")
        let result = try XCTUnwrap(report.results[RegularBlockResult.self])
        XCTAssertEqual(result.prunedLayerWeights, 256 * 96 + 96 * 64)
        XCTAssertGreaterThanOrEqual(result.realisedCompression, 8)
        XCTAssertLessThan(result.regularBlockBytes, result.csrBytes)
        XCTAssertNotNil(report.results.values["layers.0.regular_block_bytes"])

        let loaded = try checkpointRoundTrip(model)
        XCTAssertEqual(try blockSizes(loaded), sizes)
        XCTAssertEqual(try loaded.cost().parameterCount, try model.cost().parameterCount)
        XCTAssertEqual((loaded.namedLayers["layers.0"] as! Linear).weight.value.scalars, after)
        let input = Variable(NetworkFixtures.images(for: model.spec, count: 2, seed: 99))
        let logits = try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)).value.scalars }
        let reloaded = try GradientMode.withoutGradients { try loaded(input, ForwardContext(training: false)).value.scalars }
        XCTAssertEqual(logits, reloaded)
    }

    /// Golden storage of darb.md's row at b = 4 as a [1, 8] linear weight: kept [-0.9, 0.6] at columns 1 and 7. Dense 32;
    /// regular block 4 * 2 + 1 (4 offset bits) + 2 = 11; CSR 8 * 2 + 4 * 2 = 24; relative index (5 bits: gaps 1, 6)
    /// ceil(2 * 37 / 8) = 10.
    func testStorageBytesOfTheSpecRow() throws {
        let weight = try Tensor(shape: [1, 8], scalars: [0, -0.9, 0, 0, 0, 0, 0, 0.6])
        let storage = try RegularBlockStorage.measure(layer: "fc", weight: weight, blockSizes: [4])
        XCTAssertEqual([storage.keptWeights, storage.denseBytes, storage.regularBlockBytes, storage.csrBytes, storage.relativeIndexBytes],
                       [2, 32, 11, 24, 10])
    }

    /// BMWM with b = 4: every row of both hidden layers has block size 4 and keeps ceil(N / 4) entries.
    func testBlockMaxWeightMaskingWithOneBlockSize() throws {
        let model = try model()
        var config = PruningConfig()
        (config.target, config.regularBlock.blockSize) = (.unconstrained, 4)
        let session = try PruningSession(model: model, config: config, data: PruningData(training: data(model)))
        try PruningPipeline.prune(session, with: RegularBlockPruner(densityAdaptive: false))
        let sizes = try blockSizes(model)
        XCTAssertEqual(sizes["layers.0"], [Int](repeating: 4, count: 96))
        XCTAssertEqual((model.namedLayers["layers.0"] as! Linear).weight.value.scalars.filter { $0 != 0 }.count, 96 * 64)
        XCTAssertTrue(session.masks.isEmpty, "the records replace the session's masks")
        XCTAssertEqual(RegularBlockPruner.blockSize(keepRatio: 1.0 / 13), 16)
    }

    /// Layer choice on LeNet-5 (Caffe form): the first conv is kept dense; the 500-input classifier is pruned unless the
    /// threshold is raised; a FLOPs target or no target is refused for DARB.
    func testLayerSelectionAndTargets() throws {
        let model = try Model(spec: .leNet5(), seed: 1)
        var config = PruningConfig()
        let names = RegularBlockLayers.selected(in: model, settings: config.regularBlock, config: config).map(\.name)
        XCTAssertFalse(names.contains("conv1"))
        XCTAssertEqual(names.count, 3, "\(names)")
        config.regularBlock.classifierMinimumInputs = 1000
        XCTAssertEqual(RegularBlockLayers.selected(in: model, settings: config.regularBlock, config: config).count, 2)
        for target in [PruningTarget.flopsRatio(0.5), .unconstrained] {
            config.target = target
            let session = try PruningSession(model: model, config: config, data: PruningData(training: nil))
            assertThrowsPruneKitError(["target"]) { try PruningPipeline.prune(session, with: RegularBlockPruner(densityAdaptive: true)) }
        }
    }

    /// darb.md step 6: three rounds to 8x keep rho^(1/3), rho^(2/3), rho of the weights, retrain between rounds (two
    /// retraining phases, none after the last) and end with the one-shot run's budget; each round's kept set lies inside
    /// the previous round's nonzeros, so the final weights keep at most rho R N entries.
    func testDensityAdaptiveRoundsReachTheTargetGeometrically() throws {
        let model = try model(), batches = data(model)
        var config = PruningConfig()
        config.regularBlock.compression = 8
        config.regularBlock.steps = 3
        config.regularBlock.retraining.epochs = 1
        var lines: [String] = []
        var options = PruningPipeline.Options()
        options.log = { lines.append($0) }
        let report = try PruningPipeline.run(model: model, method: "darb", config: config, data: PruningData(training: batches), options: options)
        XCTAssertEqual(lines.filter { $0.contains("retraining after round") }.count, 2, lines.joined(separator: "\n"))
        let sizes = try blockSizes(model)
        for (name, columns, rows) in [("layers.0", 256, 96), ("layers.1", 96, 64)] {
            let weight = (model.namedLayers[name] as! Linear).weight.value.scalars
            let kept = RegularBlockMatrix.keptCount(columns: columns, blockSizes: sizes[name]!)
            XCTAssertLessThanOrEqual(kept, rows * columns / 8, name)
            XCTAssertGreaterThan(kept, rows * columns / 8 - columns, "\(name): within one row-step of rho R N")
            XCTAssertLessThanOrEqual(weight.filter { $0 != 0 }.count, kept, name)
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(report.results[RegularBlockResult.self]).realisedCompression, 8)
    }

    /// Settings written before rounds existed decode with the defaults; new ones round-trip.
    func testSettingsDecodeWithoutTheNewerKeys() throws {
        let old = try JSONDecoder().decode(RegularBlockPruner.Settings.self, from: Data(#"{"compression": 16, "classifierMinimumInputs": 128, "includesFirstConvolution": true}"#.utf8))
        XCTAssertEqual(old.compression, 16)
        XCTAssertEqual(old.classifierMinimumInputs, 128)
        XCTAssertEqual(old.steps, 1)
        XCTAssertEqual(old.retraining, RegularBlockPruner.Settings().retraining)
        var settings = RegularBlockPruner.Settings()
        (settings.steps, settings.retraining.epochs) = (4, 3)
        XCTAssertEqual(try JSONDecoder().decode(RegularBlockPruner.Settings.self, from: try JSONEncoder().encode(settings)), settings)
    }
}
