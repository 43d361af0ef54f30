import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPlot
@testable import PruneKitPruning
import PruneKitTestSupport

/// The sensitivity plot on `LineChart`: one series per group with a marker per ratio, the dense line, a y range
/// near the lowest accuracy, and x ticks at exact round ratios (the old plot labelled 0.5 twice).
final class PruningSensitivityPlotTests: XCTestCase {
    private let ratios = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]

    private func result() -> SensitivityAnalysis.Result {
        let groups: [(String, [Float])] = [
            ("conv1", [0.990, 0.989, 0.987, 0.985, 0.980, 0.972, 0.960, 0.941, 0.902]),
            ("conv2", [0.991, 0.991, 0.990, 0.989, 0.987, 0.984, 0.979, 0.969, 0.948]),
            ("fc1", [0.991, 0.991, 0.991, 0.990, 0.990, 0.989, 0.988, 0.985, 0.977]),
        ]
        let rows = groups.flatMap { group, accuracies in
            zip(ratios, accuracies).map { SensitivityAnalysis.Row(group: group, ratio: $0, accuracy: $1, flops: 1000, parameters: 100) }
        }
        return SensitivityAnalysis.Result(denseAccuracy: 0.9912, denseFlops: 2000, rows: rows)
    }

    func testOneSeriesPerGroupWithEveryRatioAndTheDenseLine() {
        let chart = SensitivityPlot.chart(result(), title: "lenet5 l1")
        XCTAssertEqual(chart.series.map(\.name), ["conv1", "conv2", "fc1"])
        XCTAssertTrue(chart.series.allSatisfy { $0.points.map(\.x) == ratios })
        XCTAssertEqual(chart.series[0].points.last?.y ?? 0, 90.2, accuracy: 1e-4, "accuracy in percent")
        XCTAssertEqual(chart.referenceLines, [.horizontal(y: 100 * Double(Float(0.9912)), label: "dense 99.12%")])
    }

    func testAxesShowExactRoundRatiosAndStartNearTheLowestAccuracy() {
        let layout = ChartLayout(SensitivityPlot.chart(result(), title: "lenet5 l1"))
        XCTAssertEqual(layout.xTicks.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        // 90.2...99.12 padded by 4% either side: steps of 1 would give 12 ticks, so steps of 2 from 88 to 100.
        XCTAssertEqual(layout.yTicks.labels, ["88", "90", "92", "94", "96", "98", "100"], "starts near 90.2%, not at 0")
        XCTAssertGreaterThanOrEqual(layout.yTicks.upper, 99.12, "the dense line is inside")
        XCTAssertEqual(Set(layout.yTicks.labels).count, layout.yTicks.labels.count)
    }

    func testSVGHasAMarkerPerMeasurementAndParses() {
        let svg = SensitivityPlot.svg(result(), title: "lenet5 <l1>")
        let inspector = PlotSVGInspector(svg)
        XCTAssertNil(inspector.parseFailure)
        XCTAssertEqual(inspector.all("polyline").count, 3)
        XCTAssertEqual(inspector.all("circle").count, 9 + 1, "conv1's markers and its legend sample")
        XCTAssertEqual(inspector.all("polygon").count, 9 + 1, "fc1's triangles")
        XCTAssertTrue(inspector.texts.contains("lenet5 <l1>") && inspector.texts.contains("dense 99.12%"))
    }
}
