import XCTest
@testable import PruneKitPlot
import PruneKitTestSupport

/// Line charts read back with XMLParser: where ticks, markers, error bars and reference lines land in pixels.
final class PlotLineChartTests: XCTestCase {
    private let sensitivityLike = LineChart(
        title: "sensitivity", xAxis: ChartAxis(title: "ratio"), yAxis: ChartAxis(title: "accuracy (%)"),
        series: [ChartSeries(name: "conv1", x: [0.1, 0.3, 0.5, 0.7, 0.9], y: [99.0, 98.9, 98.1, 97.2, 93.4]),
                 ChartSeries(name: "conv2", x: [0.1, 0.3, 0.5, 0.7, 0.9], y: [99.1, 99.0, 98.8, 98.0, 96.1])],
        referenceLines: [.horizontal(y: 99.12, label: "dense 99.12%")])

    private func parse(_ chart: LineChart, file: StaticString = #filePath, line: UInt = #line) -> PlotSVGInspector {
        let inspector = PlotSVGInspector(chart.svg())
        XCTAssertNil(inspector.parseFailure, "the SVG is not well-formed XML", file: file, line: line)
        XCTAssertEqual(inspector.elements.first?.name, "svg", file: file, line: line)
        return inspector
    }

    func testTickLabelsSitAtTheirValuesPixelCoordinates() throws {
        let layout = ChartLayout(sensitivityLike), svg = parse(sensitivityLike)
        XCTAssertEqual(layout.xTicks.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(layout.x.pixel(0), layout.plotLeft)
        XCTAssertEqual(layout.x.pixel(1), layout.plotRight)
        for (value, label) in zip(layout.xTicks.values, layout.xTicks.labels) {
            let element = try XCTUnwrap(svg.all("text").first { $0.text == label && $0.attributes["text-anchor"] == "middle" })
            let expected = layout.plotLeft + value * (layout.plotRight - layout.plotLeft)
            XCTAssertEqual(try XCTUnwrap(element.number("x")), expected, accuracy: 0.006, "x tick \(label)")
        }
        let (lower, upper) = (layout.yTicks.lower, layout.yTicks.upper)
        for (value, label) in zip(layout.yTicks.values, layout.yTicks.labels) {
            let element = try XCTUnwrap(svg.all("text").first { $0.text == label && $0.attributes["text-anchor"] == "end" })
            let expected = layout.plotBottom - (value - lower) / (upper - lower) * (layout.plotBottom - layout.plotTop)
            XCTAssertEqual(try XCTUnwrap(element.number("y")), expected + ChartStyle.fontSize / 3, accuracy: 0.006, "y tick \(label)")
        }
        let marker = try XCTUnwrap(svg.all("circle").first)   // conv1's first point: (0.1, 99.0)
        XCTAssertEqual(try XCTUnwrap(marker.number("cx")), layout.plotLeft + 0.1 * (layout.plotRight - layout.plotLeft), accuracy: 0.006)
        XCTAssertEqual(try XCTUnwrap(marker.number("cy")), layout.y.pixel(99.0), accuracy: 0.006)
    }

    func testYAxisStartsNearTheLowestValueAndKeepsTheDenseLine() throws {
        let layout = ChartLayout(sensitivityLike)
        XCTAssertEqual(layout.yTicks.labels, ["93", "94", "95", "96", "97", "98", "99", "100"])
        let dashed = try XCTUnwrap(parse(sensitivityLike).all("line").first { $0.attributes["stroke-dasharray"] != nil })
        XCTAssertEqual(try XCTUnwrap(dashed.number("y1")), layout.y.pixel(99.12), accuracy: 0.006)
        XCTAssertEqual(try XCTUnwrap(dashed.number("x1")), layout.plotLeft, accuracy: 0.006)
        XCTAssertEqual(try XCTUnwrap(dashed.number("x2")), layout.plotRight, accuracy: 0.006)
        let high = LineChart(title: "", xAxis: ChartAxis(title: "x"), yAxis: ChartAxis(title: "y"),
                             series: [ChartSeries(name: "a", x: [1, 2], y: [50, 51])], referenceLines: [.horizontal(y: 60, label: "dense")])
        XCTAssertGreaterThanOrEqual(ChartLayout(high).yTicks.upper, 60)
        XCTAssertLessThanOrEqual(ChartLayout(high).yTicks.lower, 50)
    }

    func testEveryPointHasAMarkerAndErrorBarsSpanPlusMinusTheDeviation() throws {
        let chart = LineChart(title: "accuracy vs FLOPs", xAxis: ChartAxis(title: "FLOPs kept (%)"), yAxis: ChartAxis(title: "accuracy"),
                              series: [ChartSeries(name: "l1", x: [30, 50, 70, 90], y: [90, 91.5, 92.5, 93], deviations: [0.5, 0.4, 0.3, 0.2]),
                                       ChartSeries(name: "l2", x: [30, 50, 70, 90], y: [89, 91, 92, 93]),
                                       ChartSeries(name: "taylor", x: [30, 50, 70, 90], y: [91, 92, 92.8, 93.1])])
        let layout = ChartLayout(chart), svg = parse(chart)
        XCTAssertEqual(svg.all("circle").count, 4 + 1, "l1: 4 points and its legend sample")
        XCTAssertEqual(svg.all("polygon").count, 4 + 1, "taylor: triangles")
        XCTAssertEqual(svg.all("rect").count, 4 + 1 + 3, "l2: squares, plus background, clip and frame")
        XCTAssertEqual(svg.all("polyline").count, 3)
        let bars = svg.all("path").filter { $0.attributes["class"] == "error-bar" }
        XCTAssertEqual(bars.count, 1)
        let data = try XCTUnwrap(bars.first?.attributes["d"])
        XCTAssertEqual(data.components(separatedBy: "V").count - 1, 4)
        // The first bar: from 89.5 to 90.5 at x = 30, as "M x bottom V top ...".
        let expected = "M\(SVGText.number(layout.x.pixel(30))) \(SVGText.number(layout.y.pixel(89.5)))V\(SVGText.number(layout.y.pixel(90.5)))"
        XCTAssertTrue(data.hasPrefix(expected), "\(data.prefix(60)) vs \(expected)")
        XCTAssertLessThanOrEqual(layout.yTicks.lower, 89.5, "the error bars are inside the range")
    }

    func testDiagonalCrossesThePlotFromCornerToCorner() throws {
        let chart = LineChart(title: "speedup", xAxis: ChartAxis(title: "FLOPs ratio"), yAxis: ChartAxis(title: "speedup"),
                              series: [ChartSeries(name: "l1", x: [1.5, 2, 3, 4], y: [1.3, 1.6, 2.1, 2.5])],
                              referenceLines: [.diagonal(label: "ideal")])
        let layout = ChartLayout(chart)
        XCTAssertLessThanOrEqual(layout.yTicks.upper, 4.5)
        XCTAssertGreaterThanOrEqual(layout.yTicks.upper, 4, "the y range covers the x range for the diagonal")
        let diagonal = try XCTUnwrap(parse(chart).all("line").first { $0.attributes["stroke-dasharray"] != nil })
        let start = max(layout.x.lower, layout.y.lower), end = min(layout.x.upper, layout.y.upper)
        XCTAssertEqual(try XCTUnwrap(diagonal.number("x1")), layout.x.pixel(start), accuracy: 0.006)
        XCTAssertEqual(try XCTUnwrap(diagonal.number("y1")), layout.y.pixel(start), accuracy: 0.006)
        XCTAssertEqual(try XCTUnwrap(diagonal.number("x2")), layout.x.pixel(end), accuracy: 0.006)
        XCTAssertEqual(try XCTUnwrap(diagonal.number("y2")), layout.y.pixel(end), accuracy: 0.006)
    }

    func testTextIsEscapedForXML() throws {
        let hostile = "a < b & \"c\" 'd' > \u{1}"
        let chart = LineChart(title: hostile, xAxis: ChartAxis(title: "x & y"), yAxis: ChartAxis(title: "<y>"),
                              series: [ChartSeries(name: "</text><script>", x: [1, 2], y: [3, 4])],
                              referenceLines: [.horizontal(y: 3.5, label: "dense \"99%\"")])
        let source = chart.svg()
        XCTAssertFalse(source.contains("<script>"))
        XCTAssertTrue(source.contains("a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt; \u{FFFD}"))
        let texts = parse(chart).texts
        for expected in ["a < b & \"c\" 'd' > \u{FFFD}", "x & y", "<y>", "</text><script>", "dense \"99%\""] {
            XCTAssertTrue(texts.contains(expected), "\(expected) not among \(texts)")
        }
    }

    func testOutputIsDeterministic() {
        let copy = LineChart(title: sensitivityLike.title, xAxis: sensitivityLike.xAxis, yAxis: sensitivityLike.yAxis,
                             series: sensitivityLike.series, referenceLines: sensitivityLike.referenceLines)
        XCTAssertEqual(sensitivityLike.svg(), copy.svg())
        XCTAssertEqual(Array(sensitivityLike.svg().utf8), Array(sensitivityLike.svg().utf8))
    }

    func testOnePointEmptyAndNonFiniteChartsStillParse() {
        let one = LineChart(title: "one", xAxis: ChartAxis(title: "x"), yAxis: ChartAxis(title: "y"),
                            series: [ChartSeries(name: "only", x: [0.5], y: [0.7])])
        XCTAssertEqual(parse(one).all("polyline").count, 0)
        XCTAssertEqual(parse(one).all("circle").count, 2, "the point and its legend sample")
        XCTAssertEqual(ChartLayout(one).xTicks.labels, ["0.44", "0.46", "0.48", "0.50", "0.52", "0.54", "0.56"])
        let empty = LineChart(title: "", xAxis: ChartAxis(title: ""), yAxis: ChartAxis(title: ""))
        XCTAssertEqual(parse(empty).all("circle").count, 0)
        let broken = LineChart(title: "broken", xAxis: ChartAxis(title: "x"), yAxis: ChartAxis(title: "y"),
                               series: [ChartSeries(name: "s", x: [1, 2, .nan, 4], y: [1, .infinity, 3, 4])])
        XCTAssertEqual(parse(broken).all("circle").count, 2 + 1)
        XCTAssertFalse(broken.svg().lowercased().contains("nan") || broken.svg().contains("inf"))
    }

    func testExplicitRangeIsKept() {
        let chart = LineChart(title: "", xAxis: ChartAxis(title: "x", range: 0...100), yAxis: ChartAxis(title: "y", range: 0...1),
                              series: [ChartSeries(name: "s", x: [20, 40], y: [0.5, 0.6])])
        XCTAssertEqual(ChartLayout(chart).xTicks.labels, ["0", "20", "40", "60", "80", "100"])
        XCTAssertEqual(ChartLayout(chart).yTicks.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    func testLegendStaysRightOfThePlotAndInsideTheImage() {
        let many = (0..<40).map { ChartSeries(name: "layer\($0 / 10).\($0 % 10).conv1", x: [0.1, 0.5], y: [90, Double($0)]) }
        let chart = LineChart(title: "many", xAxis: ChartAxis(title: "x"), yAxis: ChartAxis(title: "y"), series: many,
                              referenceLines: [.horizontal(y: 95, label: "dense")], width: 1200)
        let layout = ChartLayout(chart)
        XCTAssertGreaterThan(layout.legendLeft, layout.plotRight)
        for index in 0...many.count {
            let origin = layout.legendOrigin(index)
            XCTAssertLessThanOrEqual(origin.y + ChartStyle.legendRow, layout.plotBottom, "entry \(index)")
            XCTAssertLessThanOrEqual(origin.x + layout.legendColumnWidth, layout.width, "entry \(index)")
        }
        let markers = Set((0..<many.count).map { "\(ChartStyle.color($0)) \(ChartStyle.marker($0))" })
        XCTAssertEqual(markers.count, many.count, "colour and marker together tell the series apart")
    }

    func testNumbersAreFormattedWithoutLocaleOrNegativeZero() {
        XCTAssertEqual(SVGText.number(12.345), "12.35")
        XCTAssertEqual(SVGText.number(-0.001), "0")
        XCTAssertEqual(SVGText.number(3), "3")
        XCTAssertEqual(SVGText.number(-2.5), "-2.5")
        XCTAssertEqual(SVGText.number(0.05), "0.05")
        XCTAssertEqual(SVGText.number(.nan), "0")
    }
}
