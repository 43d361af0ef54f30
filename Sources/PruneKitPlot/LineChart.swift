import Foundation

/// A line chart written as a standalone SVG 1.1 document: named series with a marker at every measured point and
/// optional error bars, dashed reference lines (a horizontal level such as the dense accuracy, or the diagonal
/// y = x), round ticks labelled with their exact values (`AxisTicks`), axis titles, a title, and a legend to the
/// right of the plot area. Axes fit the data (not zero-based) with a little padding, and stretch to keep the
/// reference lines in view. The output depends only on the chart's value: same chart, same bytes.
///
/// ```swift
/// var chart = LineChart(title: "ResNet-56 on CIFAR-10", xAxis: ChartAxis(title: "FLOPs kept (%)"),
///                       yAxis: ChartAxis(title: "top-1 accuracy after fine-tuning (%)"))
/// chart.series = [ChartSeries(name: "l1", x: [30, 50, 70], y: [91.2, 92.6, 93.1], deviations: [0.3, 0.2, 0.2])]
/// chart.referenceLines = [.horizontal(y: 93.4, label: "dense 93.40%")]
/// try chart.svg().write(toFile: "accuracy.svg", atomically: true, encoding: .utf8)
/// ```
public struct LineChart: Equatable, Sendable {
    /// The heading above the plot; empty for none.
    public var title: String
    /// The horizontal axis.
    public var xAxis: ChartAxis
    /// The vertical axis.
    public var yAxis: ChartAxis
    /// The lines, coloured and marked by position; the legend lists them in this order.
    public var series: [ChartSeries]
    /// Guide lines drawn behind the series, listed in the legend after them.
    public var referenceLines: [ReferenceLine]
    /// Image width in pixels, legend included (at least 200).
    public var width: Int
    /// Image height in pixels (at least 150).
    public var height: Int

    /// A chart; series and reference lines may also be added later.
    public init(title: String, xAxis: ChartAxis, yAxis: ChartAxis, series: [ChartSeries] = [],
                referenceLines: [ReferenceLine] = [], width: Int = 900, height: Int = 520) {
        (self.title, self.xAxis, self.yAxis, self.series) = (title, xAxis, yAxis, series)
        (self.referenceLines, self.width, self.height) = (referenceLines, width, height)
    }

    /// The SVG document, ending with a newline. Points with a non-finite coordinate are left out.
    public func svg() -> String {
        let layout = ChartLayout(self)
        var lines = header(layout)
        lines += grid(layout)
        lines += referenceLineElements(layout)
        lines += seriesElements(layout)
        lines += axes(layout)
        lines += legend(layout)
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The root element, background, title and the clip rectangle of the plot area (widened by a marker so that
    /// points on the frame stay whole).
    private func header(_ layout: ChartLayout) -> [String] {
        let (width, height) = (SVGText.number(layout.width), SVGText.number(layout.height))
        let margin = ChartStyle.markerRadius + 2
        let root = SVGText.element("svg", ["xmlns": "http://www.w3.org/2000/svg", "version": "1.1", "width": width, "height": height,
                                           "viewBox": "0 0 \(width) \(height)", "font-family": "DejaVu Sans, Arial, Helvetica, sans-serif",
                                           "font-size": SVGText.number(ChartStyle.fontSize)])
        let clip = rect(layout.plotLeft - margin, layout.plotTop - margin, layout.plotRight + margin, layout.plotBottom + margin, style: "")
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", String(root.dropLast(2)) + ">",
                     SVGText.element("rect", ["width": width, "height": height, "fill": "white"]),
                     "<defs><clipPath id=\"plot-area\">" + clip + "</clipPath></defs>"]
        if !title.isEmpty {
            lines.append(text(title, x: layout.width / 2, y: 8 + layout.titleFontSize, anchor: "middle",
                              extra: "font-size=\"\(SVGText.number(layout.titleFontSize))\""))
        }
        return lines
    }

    /// A rectangle between two corners with extra attributes.
    func rect(_ left: Double, _ top: Double, _ right: Double, _ bottom: Double, style: String) -> String {
        let corner = "<rect x=\"\(SVGText.number(left))\" y=\"\(SVGText.number(top))\""
        return corner + " width=\"\(SVGText.number(right - left))\" height=\"\(SVGText.number(bottom - top))\"\(style.isEmpty ? "" : " " + style)/>"
    }

    /// A straight line with extra attributes.
    func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, style: String) -> String {
        "<line x1=\"\(SVGText.number(x1))\" y1=\"\(SVGText.number(y1))\" x2=\"\(SVGText.number(x2))\" y2=\"\(SVGText.number(y2))\" \(style)/>"
    }

    /// A text element; `anchor` is start, middle or end, `extra` further attributes.
    func text(_ content: String, x: Double, y: Double, anchor: String = "start", extra: String = "") -> String {
        let anchorAttribute = anchor == "start" ? "" : " text-anchor=\"\(anchor)\""
        let position = "x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\"\(anchorAttribute)"
        return "<text \(position)\(extra.isEmpty ? "" : " " + extra)>\(SVGText.escape(content))</text>"
    }
}
