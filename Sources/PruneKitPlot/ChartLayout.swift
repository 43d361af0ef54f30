import Foundation

/// Where everything of a `LineChart` goes: the plot area, the two scales with their ticks, the title size and
/// the legend's columns. The legend sits to the right of the plot area, outside it, so it never covers data;
/// it takes as many columns as its entries need and the plot area gets the rest of the width.
struct ChartLayout {
    /// The whole image in pixels.
    let width: Double, height: Double
    /// The plot area's edges in pixels.
    let plotLeft: Double, plotTop: Double, plotRight: Double, plotBottom: Double
    /// Data-to-pixel maps.
    let x: ChartScale, y: ChartScale
    /// Tick values and labels; the scales span from the first tick to the last.
    let xTicks: AxisTicks, yTicks: AxisTicks
    /// The title's font size, shrunk from 15 px when the title is wider than the image.
    let titleFontSize: Double
    /// Legend: entries per column, column width and the left edge of the first column.
    let legendRows: Int, legendColumnWidth: Double, legendLeft: Double

    /// Tick-count targets tried in turn until the labels fit between their neighbours.
    static let tickTargets: [ClosedRange<Int>] = [5...8, 4...6, 3...4, 2...3]

    init(_ chart: LineChart) {
        (width, height) = (Double(max(chart.width, 200)), Double(max(chart.height, 150)))
        let font = ChartStyle.fontSize
        titleFontSize = ChartLayout.titleFontSize(chart.title, width: width)
        plotTop = chart.title.isEmpty ? 16 : 22 + titleFontSize
        plotBottom = height - (chart.xAxis.title.isEmpty ? 30 : 52)
        let legendLabels = chart.series.map(\.name) + chart.referenceLines.map(\.label)
        legendRows = max(1, Int((plotBottom - plotTop) / ChartStyle.legendRow))
        let columns = (legendLabels.count + legendRows - 1) / legendRows
        let widest = legendLabels.map { SVGText.estimatedWidth($0, fontSize: font) }.max() ?? 0
        legendColumnWidth = ChartStyle.legendSample + ChartStyle.legendGap + widest + 14
        let legendWidth = Double(columns) * legendColumnWidth
        let (xValues, yValues) = ChartLayout.extents(chart)
        let yTicks = ChartLayout.fittingTicks(chart.yAxis, values: yValues, length: plotBottom - plotTop) { _ in font }
        let yLabelWidth = yTicks.labels.map { SVGText.estimatedWidth($0, fontSize: font) }.max() ?? 0
        plotLeft = 10 + (chart.yAxis.title.isEmpty ? 0 : font + 10) + yLabelWidth + 8
        plotRight = max(plotLeft + 120, width - 10 - (legendWidth > 0 ? legendWidth + 16 : 10))
        legendLeft = plotRight + 20
        xTicks = ChartLayout.fittingTicks(chart.xAxis, values: xValues, length: plotRight - plotLeft) { ticks in
            ticks.labels.map { SVGText.estimatedWidth($0, fontSize: font) }.max() ?? 0
        }
        self.yTicks = yTicks
        x = ChartScale(lower: xTicks.lower, upper: xTicks.upper, start: plotLeft, end: plotRight)
        y = ChartScale(lower: yTicks.lower, upper: yTicks.upper, start: plotBottom, end: plotTop)
    }

    /// The values each axis must show: finite points (with their error bars on y) and reference lines; the
    /// diagonal adds the points' x values to y so that y = x crosses the plot.
    static func extents(_ chart: LineChart) -> (x: [Double], y: [Double]) {
        let points = chart.series.flatMap(\.points).filter(\.isFinite)
        var xValues = points.map(\.x)
        var yValues = points.flatMap { point in point.errorBar.map { [point.y - $0, point.y + $0] } ?? [point.y] }
        for line in chart.referenceLines {
            switch line {
            case .horizontal(let value, _): yValues.append(value)
            case .vertical(let value, _): xValues.append(value)
            case .diagonal: yValues += points.map(\.x)
            }
        }
        return (xValues, yValues)
    }

    /// The first ticks (from the targets in turn) whose labels, `labelSize(ticks)` pixels along the axis, leave
    /// at least 10 pixels between neighbours over `length` pixels.
    static func fittingTicks(_ axis: ChartAxis, values: [Double], length: Double, labelSize: (AxisTicks) -> Double) -> AxisTicks {
        var ticks = axis.ticks(covering: values, targetCount: tickTargets[0])
        for target in tickTargets {
            ticks = axis.ticks(covering: values, targetCount: target)
            let spacing = length / Double(max(ticks.values.count - 1, 1))
            if labelSize(ticks) + 10 <= spacing { break }
        }
        return ticks
    }

    /// 15 px, or smaller (down to 10 px) so that the title fits the image width with 10 px either side.
    static func titleFontSize(_ title: String, width: Double) -> Double {
        let natural = SVGText.estimatedWidth(title, fontSize: ChartStyle.titleFontSize)
        guard natural > width - 20 else { return ChartStyle.titleFontSize }
        return max(ChartStyle.minimumTitleFontSize, ChartStyle.titleFontSize * (width - 20) / natural)
    }

    /// The top-left corner of legend entry `index` (column-major).
    func legendOrigin(_ index: Int) -> (x: Double, y: Double) {
        (legendLeft + Double(index / legendRows) * legendColumnWidth, plotTop + Double(index % legendRows) * ChartStyle.legendRow)
    }
}
