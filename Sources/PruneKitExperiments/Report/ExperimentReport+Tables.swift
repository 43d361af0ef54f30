import Foundation
import PruneKitCore
import PruneKitNetworks

/// The report's files. `results.csv` holds only the columns that are bit-reproducible (FLOPs, parameters,
/// accuracies), so two runs compare byte for byte; the measured times and speedups go to `timings.csv`;
/// `results.json` and `results.md` hold both.
extension ExperimentReport {
    /// Header of `results.csv`.
    public static let resultColumns = ["dataset", "model", "method", "target", "seeds", "flops_kept", "params_kept",
                                       "dense_accuracy_mean", "dense_accuracy_std", "pruned_accuracy_mean", "pruned_accuracy_std",
                                       "finetuned_accuracy_mean", "finetuned_accuracy_std"]

    /// Batch sizes timed in any row, ascending.
    var batchSizes: [String] { Set(rows.flatMap(\.speedup.keys)).sorted { Int($0)! < Int($1)! } }

    /// Stages timed in any row, in pipeline order (unknown stages last, by name).
    var stages: [String] {
        let order = ["dense-training", "pruning", "fine-tuning", "evaluation", "latency"]
        return Set(rows.flatMap(\.seconds.keys)).sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
    }

    /// `results.csv`: one line per row, fractions with 6 decimals, accuracies in percent with 4.
    public var resultsCSV: String {
        var lines = [Self.resultColumns.joined(separator: ",")]
        for row in rows {
            let accuracies = [row.denseAccuracy, row.prunedAccuracy, row.fineTunedAccuracy].flatMap { statistic in
                statistic.map { [Self.format($0.mean, 4), Self.format($0.deviation, 4)] } ?? ["", ""]
            }
            lines.append(([row.dataset, row.model, row.method, row.target, "\(row.seeds)", Self.format(row.flopsKept.mean, 6),
                           Self.format(row.parametersKept.mean, 6)] + accuracies).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `timings.csv`: measured speedups (mean over seeds) and mean seconds per stage; these vary from run to run.
    public var timingsCSV: String {
        let header = ["dataset", "model", "method", "target"] + batchSizes.map { "speedup_batch_\($0)" } + stages.map { "\($0)_seconds" }
        var lines = [header.joined(separator: ",")]
        for row in rows {
            let speedups = batchSizes.map { row.speedup[$0].map { Self.format($0.mean, 3) } ?? "" }
            let seconds = stages.map { row.seconds[$0].map { Self.format($0, 3) } ?? "" }
            lines.append(([row.dataset, row.model, row.method, row.target] + speedups + seconds).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `results.md`: a Markdown table with accuracies as mean ± std, speedups and stage times.
    public var markdown: String {
        let header = ["model", "method", "target", "FLOPs kept", "params kept", "dense acc. (%)", "pruned acc. (%)", "fine-tuned acc. (%)",
                      "drop (pt)", "paper's drop (pt)"] + batchSizes.map { "speedup @\($0)" } + stages.map { "\($0) (s)" }
        var lines = ["# \(name)", "", "| dataset | " + header.joined(separator: " | ") + " |",
                     "|" + String(repeating: " --- |", count: header.count + 1)]
        let cell = { (statistic: Statistic?) in statistic.map { Self.format($0.mean, 2) + " ± " + Self.format($0.deviation, 2) } ?? "-" }
        for row in rows {
            let values = [row.dataset, row.model, row.method, row.target, Self.format(row.flopsKept.mean * 100, 1) + "%",
                          Self.format(row.parametersKept.mean * 100, 1) + "%", cell(row.denseAccuracy), cell(row.prunedAccuracy),
                          cell(row.fineTunedAccuracy), row.drop.map { Self.format($0, 2) } ?? "-", Self.paperCell(row)] + batchSizes.map { row.speedup[$0].map { Self.format($0.mean, 2) + "x" } ?? "-" }
                + stages.map { row.seconds[$0].map { Self.format($0, 1) } ?? "-" }
            lines.append("| " + values.joined(separator: " | ") + " |")
        }
        lines += ["", "Accuracies: mean ± sample standard deviation over seeds; drop: dense minus fine-tuned mean. Speedups and times are "
                  + "measured (they vary run to run). **bold**: the drop exceeds the paper's by more than 0.5 pt."]
        let papers = Dictionary(rows.compactMap { row in row.paper.map { (row.method, $0.setting) } }, uniquingKeysWith: { first, _ in first })
        if !papers.isEmpty {
            lines += ["", "Paper settings:"] + papers.keys.sorted().map { "- \($0): \(papers[$0]!)" }
        }
        if !pendingCells.isEmpty { lines += ["", "Pending cells (no result yet): " + pendingCells.joined(separator: ", ")] }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The paper's drop ("-" when the plan gives none, "none" when the paper has no comparable setting), bold when
    /// the measured drop exceeds it by more than 0.5 pt.
    static func paperCell(_ row: Row) -> String {
        guard let paper = row.paper else { return "-" }
        guard let drop = paper.drop else { return "none" }
        return row.exceedsPaper() ? "**" + format(drop, 2) + "**" : format(drop, 2)
    }

    /// Writes results.csv, timings.csv, results.json, results.md and the plots into `layout.root`; returns the paths.
    @discardableResult
    public func write(to layout: ExperimentLayout) throws -> [String] {
        var written: [String] = []
        for (name, text) in [("results.csv", resultsCSV), ("timings.csv", timingsCSV), ("results.md", markdown)] {
            try AtomicFile.write(Data(text.utf8), to: layout.root + "/" + name)
            written.append(layout.root + "/" + name)
        }
        try layout.writeJSON(self, to: layout.root + "/results.json")
        written.append(layout.root + "/results.json")
        return written + (try writePlots(to: layout))
    }

    /// Fixed-point text with `decimals` digits ("-0.0000" printed as "0.0000").
    static func format(_ value: Double, _ decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
