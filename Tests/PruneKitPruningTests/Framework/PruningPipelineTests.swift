import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// The library API the CLI calls: pipeline report, the pruned model rebuilding from its spec, sensitivity rows,
/// CSV and SVG.
final class PruningPipelineTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8)

    private func data(_ seed: UInt64) -> TensorBatches {
        TensorBatches((0..<2).map { (NetworkFixtures.images(for: spec, count: 8, seed: seed + UInt64($0)),
                                     NetworkFixtures.labels(count: 8, classes: 10, seed: seed + UInt64($0))) })
    }

    func testReportAndRebuildFromSpec() throws {
        let model = try Model(spec: spec, seed: 3)
        var config = PruningConfig()
        (config.target, config.scope, config.roundTo) = (.flopsRatio(0.5), .global, 2)
        var options = PruningPipeline.Options()
        options.fineTuning = PrunerRegistry.entries[0].recommendedFineTuning
        options.fineTuning!.epochs = 1
        (options.latencyBatchSizes, options.latencyIterations, options.latencyWarmup) = ([4, 1], 3, 1)
        options.latencyMinimumSeconds = 0
        var epochs = 0
        options.onFineTuningEpochEnd = { _ in epochs += 1 }
        let report = try PruningPipeline.run(model: model, method: "l1", config: config,
                                             data: PruningData(training: data(1), evaluation: data(5)), options: options)
        XCTAssertEqual(epochs, 1)
        XCTAssertLessThanOrEqual(report.flopsRatio, 0.5)
        XCTAssertEqual(report.flopsAfter, try model.cost().flops)
        XCTAssertNotNil(report.accuracyBefore); XCTAssertNotNil(report.accuracyAfterPruning); XCTAssertNotNil(report.accuracyAfterFineTuning)
        XCTAssertEqual(report.latency.map(\.batchSize), [4, 1])
        XCTAssertEqual(report.layers.map(\.name), model.layerNames)
        XCTAssertEqual(report.widthsAfter, try model.currentSpec().widths)
        XCTAssertEqual(report.layers.reduce(0) { $0 + $1.flopsAfter }, report.flopsAfter)
        XCTAssertTrue(report.description.contains("latency, batch 4"))
        XCTAssertTrue(try report.jsonString().contains("\"flopsAfter\""))
        // What a checkpoint needs: the spec alone rebuilds the pruned shapes (JSON round trip included).
        let rebuilt = try Model(spec: ModelSpec(jsonData: model.currentSpec().jsonData()), seed: 0)
        XCTAssertEqual(rebuilt.parameters.map(\.shape), model.parameters.map(\.shape))
        let copy = try model.copy(), images = NetworkFixtures.images(for: spec, count: 2, seed: 9)
        XCTAssertEqual(try NetworkFixtures.logits(copy, images, training: false), try NetworkFixtures.logits(model, images, training: false))
    }

    func testLatencyComparisonAlternatesAndRejectsDifferentInputs() throws {
        let dense = try Model(spec: spec, seed: 1), pruned = try dense.copy()
        let comparison = try PruningReport.LatencyComparison.measure(dense: dense, pruned: pruned, batchSize: 2, threads: 1,
                                                                     warmup: 1, repetitions: 3, minimumSeconds: 0)
        XCTAssertEqual(comparison.batchSize, 2)
        XCTAssertEqual(comparison.threads, 1)
        XCTAssertGreaterThan(comparison.denseMilliseconds, 0)
        XCTAssertGreaterThan(comparison.prunedMilliseconds, 0)
        XCTAssertEqual(comparison.speedup, comparison.denseMilliseconds / comparison.prunedMilliseconds, accuracy: 1e-12)
        let mnist = try Model(spec: ModelZoo.spec(named: "lenet5"), seed: 1)
        XCTAssertThrowsError(try PruningReport.LatencyComparison.measure(dense: dense, pruned: mnist, batchSize: 1, threads: 1)) {
            XCTAssertTrue("\($0)".contains("LatencyComparison.measure"), "\($0)")
        }
    }

    func testSensitivityRowsCSVAndSVG() throws {
        let model = try Model(spec: spec, seed: 3)
        let ratios = try SensitivityAnalysis.ratios(parsing: "0.25:0.75:0.25")
        XCTAssertEqual(ratios, [0.25, 0.5, 0.75])
        XCTAssertEqual(try SensitivityAnalysis.ratios(parsing: "0.1:0.9:0.1").count, 9)
        assertThrowsPruneKitError(["parameter 'ratios'"]) { _ = try SensitivityAnalysis.ratios(parsing: "0.5:x") }
        let result = try SensitivityAnalysis.run(model: model, method: "l1", config: PruningConfig(), ratios: ratios,
                                                 data: PruningData(evaluation: data(5)), groups: ["layer1.0.conv1", "layer3"])
        XCTAssertEqual(result.rows.map(\.group), ["layer1.0.conv1", "layer1.0.conv1", "layer1.0.conv1", "layer3", "layer3", "layer3"])
        XCTAssertEqual(result.rows.map(\.ratio), ratios + ratios)
        XCTAssertTrue(result.rows.allSatisfy { $0.flops < result.denseFlops })
        XCTAssertEqual(try model.cost().flops, result.denseFlops, "the analysed model is not changed")
        XCTAssertEqual(result.csv.split(separator: "\n").first, "group,ratio,accuracy,flops,parameters")
        let svg = SensitivityPlot.svg(result, title: "resnet8 <l1>")
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(svg.contains("resnet8 &lt;l1&gt;") && svg.hasSuffix("</svg>\n"))
        assertThrowsPruneKitError(["unstructured"]) {
            _ = try SensitivityAnalysis.run(model: model, method: "magnitude", config: PruningConfig(), ratios: ratios, data: PruningData(evaluation: data(5)))
        }
    }
}
