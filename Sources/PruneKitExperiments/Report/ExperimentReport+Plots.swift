import Foundation
import PruneKitNetworks
import PruneKitPlot

/// The report's charts, per dataset and model: accuracy (after fine-tuning, else after pruning) against the
/// FLOPs kept, one line per method with error bars of one standard deviation over seeds and the dense accuracy
/// as a reference; and, when latency was measured, the speedup against the FLOPs reduction (dense / pruned
/// FLOPs) with the ideal diagonal, one line per method and batch size.
extension ExperimentReport {
    /// The charts by file name (`plots/mnist-lenet5-accuracy.svg`).
    public var charts: [(file: String, chart: LineChart)] {
        var charts: [(String, LineChart)] = []
        let models = Array(Set(rows.map { [$0.dataset, $0.model] })).sorted { $0.lexicographicallyPrecedes($1) }
        for key in models {
            let modelRows = rows.filter { [$0.dataset, $0.model] == key }
            charts.append(("plots/\(key[0])-\(key[1])-accuracy.svg", accuracyChart(modelRows, title: "\(key[1]) on \(key[0])")))
            if modelRows.contains(where: { !$0.speedup.isEmpty }) {
                charts.append(("plots/\(key[0])-\(key[1])-speedup.svg", speedupChart(modelRows, title: "\(key[1]) on \(key[0])")))
            }
        }
        return charts
    }

    private func accuracyChart(_ rows: [Row], title: String) -> LineChart {
        let fineTuned = rows.contains { $0.fineTunedAccuracy != nil }
        var chart = LineChart(title: title, xAxis: ChartAxis(title: "FLOPs kept (%)"),
                              yAxis: ChartAxis(title: "top-1 accuracy \(fineTuned ? "after fine-tuning" : "after pruning") (%)"))
        for method in Array(Set(rows.map(\.method))).sorted() {
            let points = rows.filter { $0.method == method }.compactMap { row -> ChartPoint? in
                guard let accuracy = fineTuned ? row.fineTunedAccuracy : row.prunedAccuracy else { return nil }
                return ChartPoint(x: row.flopsKept.mean * 100, y: accuracy.mean, deviation: accuracy.deviation)
            }.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
            chart.series.append(ChartSeries(name: method, points: points))
        }
        if let dense = Statistic(rows.compactMap { $0.denseAccuracy?.mean }) {
            chart.referenceLines = [.horizontal(y: dense.mean, label: "dense \(Self.format(dense.mean, 2))%")]
        }
        return chart
    }

    private func speedupChart(_ rows: [Row], title: String) -> LineChart {
        var chart = LineChart(title: title, xAxis: ChartAxis(title: "FLOPs reduction (dense / pruned FLOPs)"),
                              yAxis: ChartAxis(title: "measured speedup (dense / pruned time)"))
        for method in Array(Set(rows.map(\.method))).sorted() {
            let methodRows = rows.filter { $0.method == method }
            for batch in batchSizes where methodRows.contains(where: { $0.speedup[batch] != nil }) {
                let points = methodRows.compactMap { row in
                    row.speedup[batch].map { ChartPoint(x: 1 / max(row.flopsKept.mean, 1e-9), y: $0.mean, deviation: $0.deviation) }
                }.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
                chart.series.append(ChartSeries(name: "\(method), batch \(batch)", points: points))
            }
        }
        chart.referenceLines = [.diagonal(label: "ideal (speedup = FLOPs reduction)")]
        return chart
    }

    /// Writes the charts under `layout.root`; returns their paths.
    func writePlots(to layout: ExperimentLayout) throws -> [String] {
        guard !rows.isEmpty else { return [] }
        try layout.createDirectory(layout.root + "/plots")
        return try charts.map { file, chart in
            let path = layout.root + "/" + file
            try AtomicFile.write(Data(chart.svg().utf8), to: path)
            return path
        }
    }
}
