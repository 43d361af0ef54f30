import Foundation
import PruneKitCore

/// The results of an experiment folder, one row per dataset × model × method × target with the mean and the
/// sample standard deviation over seeds. Rows are sorted (dataset, model, method label, target) and every
/// number is printed with a fixed format, so two runs of the same plan give byte-identical `results.csv`.
///
/// ```swift
/// let report = try ExperimentReport(layout: ExperimentLayout(root: "runs/lenet"))
/// try report.write()        // results.csv, timings.csv, results.json, results.md, plots/*.svg
/// ```
public struct ExperimentReport: Codable, Equatable {
    /// Mean and sample standard deviation (0 for one value) of some numbers.
    public struct Statistic: Codable, Equatable {
        /// The mean.
        public var mean: Double
        /// The sample standard deviation (n - 1 in the denominator).
        public var deviation: Double

        /// The statistic of `values` (nil when empty).
        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let mean = values.reduce(0, +) / Double(values.count)
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            self.mean = mean
            deviation = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
        }
    }

    /// One model × method × target.
    public struct Row: Codable, Equatable {
        /// Dataset, model, method label and target (`flops=0.5`).
        public var dataset: String, model: String, method: String, target: String
        /// Seeds with a result.
        public var seeds: Int
        /// Fractions kept (means over seeds; data-driven methods may differ per seed).
        public var flopsKept: Statistic, parametersKept: Statistic
        /// Test accuracies in percent.
        public var denseAccuracy: Statistic?, prunedAccuracy: Statistic?, fineTunedAccuracy: Statistic?
        /// Measured dense/pruned speedup by batch size ("1", "128").
        public var speedup: [String: Statistic]
        /// Mean wall seconds by stage: dense-training, pruning, fine-tuning, evaluation, latency.
        public var seconds: [String: Double]
        /// What the method's paper reports for its nearest setting (the plan's `methods[].paper`); nil: not given.
        public var paper: PaperReference?

        /// Accuracy points lost to pruning and fine-tuning: mean dense minus mean fine-tuned accuracy (nil without both).
        public var drop: Double? {
            guard let dense = denseAccuracy, let tuned = fineTunedAccuracy else { return nil }
            return dense.mean - tuned.mean
        }

        /// True when the measured drop exceeds the paper's by more than `margin` points (0.5 in `results.md`).
        public func exceedsPaper(by margin: Double = 0.5) -> Bool {
            guard let drop, let paperDrop = paper?.drop else { return false }
            return drop > paperDrop + margin
        }
    }

    /// The plan's title.
    public var name: String
    /// The rows, sorted.
    public var rows: [Row]
    /// Cells of the manifest without a result yet.
    public var pendingCells: [String]

    /// Reads DIR/experiment.json and every cell's result.json.
    public init(layout: ExperimentLayout) throws {
        let manifest = try layout.readJSON(ExperimentManifest.self, from: layout.experimentPath)
        var groups: [[String]: [CellResult]] = [:]
        pendingCells = []
        for cell in manifest.cells {
            guard layout.isDone(cell: cell.id) else { pendingCells.append(cell.id); continue }
            let result = try layout.readJSON(CellResult.self, from: layout.resultPath(cell: cell.id))
            let dense = cell.configuration.dense
            groups[[dense.dataset, dense.model, cell.label, cell.configuration.target.description], default: []].append(result)
        }
        name = manifest.name
        rows = groups.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            var row = Self.row(key: key, results: groups[key]!)
            row.paper = manifest.paperReferences[row.method]
            return row
        }
    }

    private static func row(key: [String], results: [CellResult]) -> Row {
        let percent = { (values: [Float?]) in Statistic(values.compactMap { $0 }.map { Double($0) * 100 }) }
        var speedups: [String: [Double]] = [:], seconds: [String: Double] = [:]
        for result in results {
            for latency in result.latency { speedups["\(latency.batchSize)", default: []].append(latency.speedup) }
            for (stage, value) in result.seconds { seconds[stage, default: 0] += value / Double(results.count) }
            seconds["dense-training", default: 0] += result.denseTrainingSeconds / Double(results.count)
        }
        return Row(dataset: key[0], model: key[1], method: key[2], target: key[3], seeds: results.count,
                   flopsKept: Statistic(results.map(\.flopsKept))!, parametersKept: Statistic(results.map(\.parametersKept))!,
                   denseAccuracy: percent(results.map(\.accuracyBefore)), prunedAccuracy: percent(results.map(\.accuracyAfterPruning)),
                   fineTunedAccuracy: percent(results.map(\.accuracyAfterFineTuning)),
                   speedup: speedups.compactMapValues { Statistic($0) }, seconds: seconds)
    }
}
