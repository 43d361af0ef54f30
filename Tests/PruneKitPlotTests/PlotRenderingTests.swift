import Foundation
import XCTest
@testable import PruneKitPlot
import PruneKitTestSupport

/// Renders charts with `rsvg-convert` (librsvg): the strictest SVG reader at hand. Skipped when it is not
/// installed, but failed when the environment variable CI is set, since CI installs it (Debian librsvg2-bin).
final class PlotRenderingTests: XCTestCase {
    private func rsvgConvert() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("rsvg-convert")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail("rsvg-convert is not installed but CI is set: install librsvg2-bin")
        }
        throw XCTSkip("rsvg-convert not installed (Debian: librsvg2-bin); SVG rendering not checked")
    }

    /// Writes `chart` as SVG, converts it to PNG and returns the PNG's bytes, asserting exit status 0.
    private func render(_ chart: LineChart, name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let converter = try rsvgConvert()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("prunekit-plot-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (svg, png) = (folder.appendingPathComponent(name + ".svg"), folder.appendingPathComponent(name + ".png"))
        try Data(chart.svg().utf8).write(to: svg)
        let process = Process()
        process.executableURL = converter
        process.arguments = ["--format", "png", "--output", png.path, svg.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "rsvg-convert: \(message)", file: file, line: line)
        return (try? Data(contentsOf: png)) ?? Data()
    }

    func testAccuracyChartWithErrorBarsRendersToPNG() throws {
        let chart = LineChart(title: "ResNet-56 <CIFAR-10> & fine-tuning", xAxis: ChartAxis(title: "FLOPs kept (%)"),
                              yAxis: ChartAxis(title: "top-1 accuracy (%)"),
                              series: [ChartSeries(name: "l1", x: [30, 50, 70], y: [91.2, 92.6, 93.1], deviations: [0.3, 0.2, 0.2]),
                                       ChartSeries(name: "taylor", x: [30, 50, 70], y: [91.8, 92.9, 93.2], deviations: [0.4, 0.1, 0.2])],
                              referenceLines: [.horizontal(y: 93.4, label: "dense 93.40%")])
        let png = try render(chart, name: "accuracy")
        XCTAssertGreaterThan(png.count, 1_000)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG signature")
    }

    func testSpeedupChartWithDiagonalRendersToPNG() throws {
        let chart = LineChart(title: "speedup", xAxis: ChartAxis(title: "FLOPs ratio"), yAxis: ChartAxis(title: "measured speedup"),
                              series: [ChartSeries(name: "l1", x: [1.5, 2, 3], y: [1.3, 1.7, 2.2])], referenceLines: [.diagonal(label: "ideal")])
        XCTAssertGreaterThan(try render(chart, name: "speedup").count, 1_000)
    }
}
