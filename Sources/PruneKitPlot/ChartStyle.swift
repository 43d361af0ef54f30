import Foundation

/// Colours, marker shapes and sizes of a chart. Series take colour `i mod 10` and shape `(i + i / 10) mod 5`,
/// so the first fifty series differ in colour or shape, and neighbours differ in both.
enum ChartStyle {
    /// Matplotlib's tab10 with its grey replaced by black (grey is kept for reference lines).
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#000000", "#bcbd22", "#17becf"]
    /// Reference lines: grey, dashed.
    static let referenceColor = "#666666", referenceDash = "6,4"
    /// Grid lines behind the data.
    static let gridColor = "#e6e6e6"
    /// Text sizes in pixels.
    static let fontSize = 12.0, titleFontSize = 15.0, minimumTitleFontSize = 10.0
    /// Marker half-size, error-bar cap half-width and line width in pixels.
    static let markerRadius = 3.5, capHalfWidth = 4.0, lineWidth = 1.6
    /// Legend geometry: row height, sample line length, gap between sample and text.
    static let legendRow = 18.0, legendSample = 26.0, legendGap = 6.0

    /// The colour of series `index`.
    static func color(_ index: Int) -> String { palette[index % palette.count] }

    /// The marker of series `index`.
    static func marker(_ index: Int) -> MarkerShape { MarkerShape.allCases[(index + index / palette.count) % MarkerShape.allCases.count] }
}

/// The shape drawn at every measured point.
enum MarkerShape: CaseIterable {
    case circle, square, triangleUp, diamond, triangleDown

    /// The SVG element for this marker centred at (x, y), filled with `color`.
    func element(x: Double, y: Double, color: String, radius: Double = ChartStyle.markerRadius) -> String {
        let fill = "fill=\"\(color)\""
        switch self {
        case .circle:
            return "<circle cx=\"\(SVGText.number(x))\" cy=\"\(SVGText.number(y))\" r=\"\(SVGText.number(radius))\" \(fill)/>"
        case .square:
            let side = radius * 1.7
            return SVGText.element("rect", ["x": SVGText.number(x - side / 2), "y": SVGText.number(y - side / 2),
                                            "width": SVGText.number(side), "height": SVGText.number(side), "fill": color])
        case .triangleUp: return polygon([(0, -1.25), (1.15, 0.85), (-1.15, 0.85)], x: x, y: y, radius: radius, fill: fill)
        case .diamond: return polygon([(0, -1.35), (1.1, 0), (0, 1.35), (-1.1, 0)], x: x, y: y, radius: radius, fill: fill)
        case .triangleDown: return polygon([(0, 1.25), (1.15, -0.85), (-1.15, -0.85)], x: x, y: y, radius: radius, fill: fill)
        }
    }

    private func polygon(_ corners: [(Double, Double)], x: Double, y: Double, radius: Double, fill: String) -> String {
        let points = corners.map { "\(SVGText.number(x + $0.0 * radius)),\(SVGText.number(y + $0.1 * radius))" }
        return "<polygon points=\"\(points.joined(separator: " "))\" \(fill)/>"
    }
}
