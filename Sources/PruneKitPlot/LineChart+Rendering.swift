import Foundation

/// The parts of the SVG, in drawing order: grid, reference lines, series, axes (frame, ticks, labels, titles),
/// legend. Each returns its elements as lines of text.
extension LineChart {
    /// Light lines at every tick inside the plot area.
    func grid(_ layout: ChartLayout) -> [String] {
        let style = "stroke=\"\(ChartStyle.gridColor)\" stroke-width=\"1\""
        return layout.xTicks.values.map { line(layout.x.pixel($0), layout.plotTop, layout.x.pixel($0), layout.plotBottom, style: style) }
            + layout.yTicks.values.map { line(layout.plotLeft, layout.y.pixel($0), layout.plotRight, layout.y.pixel($0), style: style) }
    }

    /// The stroke of reference lines and their legend samples.
    private var referenceStyle: String {
        "stroke=\"\(ChartStyle.referenceColor)\" stroke-width=\"1.2\" stroke-dasharray=\"\(ChartStyle.referenceDash)\""
    }

    /// Dashed grey guide lines, each cut to the plot area (a line outside it is not drawn).
    func referenceLineElements(_ layout: ChartLayout) -> [String] {
        let style = referenceStyle
        let (x, y) = (layout.x, layout.y)
        return referenceLines.compactMap { reference in
            switch reference {
            case .horizontal(let value, _):
                return y.contains(value) ? line(layout.plotLeft, y.pixel(value), layout.plotRight, y.pixel(value), style: style) : nil
            case .vertical(let value, _):
                return x.contains(value) ? line(x.pixel(value), layout.plotBottom, x.pixel(value), layout.plotTop, style: style) : nil
            case .diagonal:
                let start = max(x.lower, y.lower), end = min(x.upper, y.upper)
                return start < end ? line(x.pixel(start), y.pixel(start), x.pixel(end), y.pixel(end), style: style) : nil
            }
        }
    }

    /// Per series: error bars with caps, the polyline through the points, and a marker at each point, clipped
    /// to the plot area.
    func seriesElements(_ layout: ChartLayout) -> [String] {
        var lines = ["<g clip-path=\"url(#plot-area)\">"]
        for (index, series) in series.enumerated() {
            let color = ChartStyle.color(index), marker = ChartStyle.marker(index)
            let points = series.points.filter(\.isFinite).map { (x: layout.x.pixel($0.x), y: layout.y.pixel($0.y), point: $0) }
            let bars = points.compactMap { item in
                item.point.errorBar.map { errorBar(x: item.x, low: layout.y.pixel(item.point.y - $0), high: layout.y.pixel(item.point.y + $0)) }
            }
            if !bars.isEmpty {
                lines.append(SVGText.element("path", ["class": "error-bar", "d": bars.joined(separator: " "), "fill": "none",
                                                      "stroke": color, "stroke-width": "1"]))
            }
            if points.count > 1 {
                let coordinates = points.map { "\(SVGText.number($0.x)),\(SVGText.number($0.y))" }.joined(separator: " ")
                lines.append(SVGText.element("polyline", ["points": coordinates, "fill": "none", "stroke": color,
                                                          "stroke-width": SVGText.number(ChartStyle.lineWidth), "stroke-linejoin": "round"]))
            }
            lines += points.map { marker.element(x: $0.x, y: $0.y, color: color) }
        }
        return lines + ["</g>"]
    }

    /// Path data for one vertical error bar from pixel `low` to `high` with short horizontal caps.
    private func errorBar(x: Double, low: Double, high: Double) -> String {
        let (left, right) = (SVGText.number(x - ChartStyle.capHalfWidth), SVGText.number(x + ChartStyle.capHalfWidth))
        let (center, top, bottom) = (SVGText.number(x), SVGText.number(high), SVGText.number(low))
        return "M\(center) \(bottom)V\(top)M\(left) \(top)H\(right)M\(left) \(bottom)H\(right)"
    }

    /// The frame, tick marks with their labels, and the axis titles.
    func axes(_ layout: ChartLayout) -> [String] {
        let tickStyle = "stroke=\"#333333\" stroke-width=\"1\""
        var lines = [rect(layout.plotLeft, layout.plotTop, layout.plotRight, layout.plotBottom, style: "fill=\"none\" " + tickStyle)]
        for (value, label) in zip(layout.xTicks.values, layout.xTicks.labels) {
            let x = layout.x.pixel(value)
            lines.append(line(x, layout.plotBottom, x, layout.plotBottom + 5, style: tickStyle))
            lines.append(text(label, x: x, y: layout.plotBottom + 8 + ChartStyle.fontSize, anchor: "middle"))
        }
        for (value, label) in zip(layout.yTicks.values, layout.yTicks.labels) {
            let y = layout.y.pixel(value)
            lines.append(line(layout.plotLeft - 5, y, layout.plotLeft, y, style: tickStyle))
            lines.append(text(label, x: layout.plotLeft - 8, y: y + ChartStyle.fontSize / 3, anchor: "end"))
        }
        if !xAxis.title.isEmpty {
            lines.append(text(xAxis.title, x: (layout.plotLeft + layout.plotRight) / 2, y: layout.plotBottom + 40, anchor: "middle"))
        }
        if !yAxis.title.isEmpty {
            let (x, y) = (10 + ChartStyle.fontSize, (layout.plotTop + layout.plotBottom) / 2)
            lines.append(text(yAxis.title, x: x, y: y, anchor: "middle",
                              extra: "transform=\"rotate(-90 \(SVGText.number(x)) \(SVGText.number(y)))\""))
        }
        return lines
    }

    /// One row per series (a line sample with its marker) then per reference line (a dashed sample), in
    /// columns to the right of the plot area.
    func legend(_ layout: ChartLayout) -> [String] {
        let entries = series.map(\.name) + referenceLines.map(\.label)
        var lines: [String] = []
        for (index, label) in entries.enumerated() {
            let (left, top) = layout.legendOrigin(index)
            let middle = top + ChartStyle.legendRow / 2, sampleEnd = left + ChartStyle.legendSample
            if index < series.count {
                let color = ChartStyle.color(index)
                let style = "stroke=\"\(color)\" stroke-width=\"\(SVGText.number(ChartStyle.lineWidth))\""
                lines.append(line(left, middle, sampleEnd, middle, style: style))
                lines.append(ChartStyle.marker(index).element(x: (left + sampleEnd) / 2, y: middle, color: color))
            } else {
                lines.append(line(left, middle, sampleEnd, middle, style: referenceStyle))
            }
            lines.append(text(label, x: sampleEnd + ChartStyle.legendGap, y: middle + ChartStyle.fontSize / 3))
        }
        return lines
    }
}
