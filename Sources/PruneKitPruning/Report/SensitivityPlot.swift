import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining
import PruneKitPlot

/// The sensitivity analysis as a `LineChart`: x = fraction of a group's units pruned, y = top-1 accuracy in
/// percent, one series per group with a marker at each measured ratio, and a dashed line at the dense
/// accuracy. The y axis starts near the lowest accuracy (not at 0), so the differences between groups show.
///
/// ```swift
/// try SensitivityPlot.svg(result, title: "resnet56, l1").write(toFile: "sensitivity.svg", atomically: true, encoding: .utf8)
/// ```
public enum SensitivityPlot {
    /// The chart: groups in the order of their first row, each group's points in row order.
    public static func chart(_ result: SensitivityAnalysis.Result, title: String, width: Int = 900, height: Int = 520) -> LineChart {
        let groups = result.rows.reduce(into: [String]()) { if !$0.contains($1.group) { $0.append($1.group) } }
        let series = groups.map { group in
            ChartSeries(name: group, points: result.rows.filter { $0.group == group }.map { ChartPoint(x: $0.ratio, y: 100 * Double($0.accuracy)) })
        }
        let dense = 100 * Double(result.denseAccuracy)
        return LineChart(title: title, xAxis: ChartAxis(title: "pruning ratio (fraction of the group's channels removed)"),
                         yAxis: ChartAxis(title: "top-1 accuracy (%)"), series: series,
                         referenceLines: [.horizontal(y: dense, label: "dense " + String(format: "%.2f%%", dense))],
                         width: width, height: height)
    }

    /// The SVG document of `chart(result, title:width:height:)`.
    public static func svg(_ result: SensitivityAnalysis.Result, title: String, width: Int = 900, height: Int = 520) -> String {
        chart(result, title: title, width: width, height: height).svg()
    }
}
