import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// An SVG line plot of a sensitivity analysis: x = pruning ratio, y = top-1 accuracy, one polyline per group, a
/// dashed line at the dense accuracy, axes with ticks, and a legend. Plain SVG 1.1, no scripts or fonts beyond
/// sans-serif, so browsers and image viewers show it as is.
///
/// ```swift
/// try SensitivityPlot.svg(result, title: "resnet56, l1").write(toFile: "sensitivity.svg", atomically: true, encoding: .utf8)
/// ```
public enum SensitivityPlot {
    /// The SVG document.
    public static func svg(_ result: SensitivityAnalysis.Result, title: String, width: Int = 900, height: Int = 520) -> String {
        let groups = result.rows.reduce(into: [String]()) { if !$0.contains($1.group) { $0.append($1.group) } }
        let (left, right, top, bottom) = (70.0, 220.0, 40.0, 50.0)
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let ratios = result.rows.map(\.ratio), maxRatio = max(ratios.max() ?? 1, 0.1)
        let x = { (ratio: Double) in left + plotWidth * ratio / maxRatio }
        let y = { (accuracy: Float) in top + plotHeight * (1 - Double(accuracy)) }
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">",
                     "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                     "<text x=\"\(left)\" y=\"22\" font-size=\"15\">\(escape(title))</text>",
                     "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"black\"/>",
                     "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\" stroke=\"black\"/>"]
        for tick in 0...10 {
            let accuracy = Float(tick) / 10, ratio = maxRatio * Double(tick) / 10
            parts.append("<text x=\"\(left - 8)\" y=\"\(format(y(accuracy) + 4))\" text-anchor=\"end\">\(tick * 10)%</text>")
            parts.append("<text x=\"\(format(x(ratio)))\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\">\(format(ratio))</text>")
        }
        parts.append("<text x=\"\(format(left + plotWidth / 2))\" y=\"\(height - 10)\" text-anchor=\"middle\">pruning ratio</text>")
        parts.append("<text x=\"16\" y=\"\(format(top + plotHeight / 2))\" transform=\"rotate(-90 16 \(format(top + plotHeight / 2)))\" text-anchor=\"middle\">top-1 accuracy</text>")
        parts.append("<line x1=\"\(left)\" y1=\"\(format(y(result.denseAccuracy)))\" x2=\"\(left + plotWidth)\" y2=\"\(format(y(result.denseAccuracy)))\" stroke=\"gray\" stroke-dasharray=\"5,4\"/>")
        for (index, group) in groups.enumerated() {
            let color = "hsl(\(index * 360 / max(groups.count, 1)), 70%, 40%)"
            let points = result.rows.filter { $0.group == group }.map { "\(format(x($0.ratio))),\(format(y($0.accuracy)))" }
            parts.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>")
            let legendY = top + Double(index) * 15
            guard legendY < Double(height) - 10 else { continue }
            parts.append("<line x1=\"\(Double(width) - right + 15)\" y1=\"\(format(legendY))\" x2=\"\(Double(width) - right + 35)\" y2=\"\(format(legendY))\" stroke=\"\(color)\" stroke-width=\"2\"/>")
            parts.append("<text x=\"\(Double(width) - right + 40)\" y=\"\(format(legendY + 4))\">\(escape(group))</text>")
        }
        return (parts + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
