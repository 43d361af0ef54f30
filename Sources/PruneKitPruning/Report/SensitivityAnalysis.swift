import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Per-group pruning sensitivity (Li et al. 2017, section 3.2; Distiller's `sensitivity_analysis`): each group is
/// pruned alone, at each ratio, by a channel criterion on a fresh copy of the model, and the copy is evaluated.
/// A group of N units keeps int(N (1 - ratio)) (at least its minimum). `prune-cli sensitivity` writes the rows
/// as CSV (`csv`) and an SVG line plot (`SensitivityPlot.svg`).
///
/// ```swift
/// let ratios = try SensitivityAnalysis.ratios(parsing: "0.1:0.9:0.1")
/// let result = try SensitivityAnalysis.run(model: model, method: "l1", config: PruningConfig(), ratios: ratios,
///                                          data: PruningData(training: train, evaluation: test))
/// try result.csv.write(toFile: "sensitivity.csv", atomically: true, encoding: .utf8)
/// ```
public enum SensitivityAnalysis {
    /// One measurement.
    public struct Row: Codable, Equatable {
        /// Group name.
        public var group: String
        /// Fraction of the group's units removed as asked (the realised fraction may be lower for tiny groups).
        public var ratio: Double
        /// Top-1 accuracy of the pruned copy.
        public var accuracy: Float
        /// FLOPs per image of the pruned copy.
        public var flops: Int
        /// Parameters of the pruned copy.
        public var parameters: Int
    }

    /// All rows plus the dense reference.
    public struct Result: Codable, Equatable {
        /// Accuracy of the unpruned model.
        public var denseAccuracy: Float
        /// FLOPs of the unpruned model.
        public var denseFlops: Int
        /// Rows by group, then ratio.
        public var rows: [Row]

        /// `group,ratio,accuracy,flops,parameters` then one line per row.
        public var csv: String {
            (["group,ratio,accuracy,flops,parameters"] + rows.map { "\($0.group),\($0.ratio),\($0.accuracy),\($0.flops),\($0.parameters)" })
                .joined(separator: "\n") + "\n"
        }
    }

    /// `start:stop:step` (inclusive, e.g. 0.1:0.9:0.1) or a comma list; every ratio in [0, 1).
    public static func ratios(parsing text: String) throws -> [Double] {
        let parts = text.split(separator: ":").map { Double($0) }
        var values: [Double]
        if parts.count == 3, let start = parts[0], let stop = parts[1], let step = parts[2], step > 0 {
            values = stride(from: start, through: stop + step / 2, by: step).map { ($0 * 1e6).rounded() / 1e6 }.filter { $0 <= stop + 1e-9 }
        } else {
            let list = text.split(separator: ",").map { Double($0) }
            guard !list.isEmpty, list.allSatisfy({ $0 != nil }) else {
                throw PruneKitError.invalidParameter(name: "ratios", expected: "START:STOP:STEP or a comma list", found: "'\(text)'")
            }
            values = list.map { $0! }
        }
        guard !values.isEmpty, values.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw PruneKitError.invalidParameter(name: "ratios", expected: "every ratio in [0, 1)", found: "'\(text)'")
        }
        return values
    }

    /// Sensitivity with the registry method's criterion (structured methods only).
    public static func run(model: Model, method: String, config: PruningConfig, ratios: [Double], data: PruningData,
                           groups: [String]? = nil, log: (String) -> Void = { _ in }) throws -> Result {
        guard let criterion = try PrunerRegistry.entry(named: method).criterion?(config) else {
            throw PruneKitError.invalidParameter(name: "method", expected: "a method with a channel criterion (sensitivity removes channels)", found: "'\(method)', which is unstructured")
        }
        return try run(model: model, importance: criterion, config: config, ratios: ratios, data: data, groups: groups, log: log)
    }

    /// Sensitivity with `importance` over `groups` (nil: every prunable group not ignored by `config`).
    public static func run(model: Model, importance: Importance, config: PruningConfig, ratios: [Double], data: PruningData,
                           groups: [String]? = nil, log: (String) -> Void = { _ in }) throws -> Result {
        guard let evaluation = data.evaluation else {
            throw PruneKitError.invalidArgument(operation: "sensitivity analysis", message: "needs evaluation data")
        }
        let accuracy = { (candidate: Model) in try Evaluator.evaluate(candidate, on: evaluation, classCount: candidate.spec.classCount).accuracy }
        try importance.prepare(model: model, data: data.training)
        let graph = try DependencyGraph(model: model)
        let chosen = try (groups ?? graph.groupNames).map { try graph.group(named: $0) }
            .filter { $0.removableUnits > 0 && (groups != nil || !config.isIgnored($0)) }
        var rows: [Row] = []
        for group in chosen {
            guard let scores = try importance.scores(for: group, in: model) else { continue }
            let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
            for ratio in ratios {
                let kept = max(Int(Double(group.unitCount) * (1 - ratio) + 1e-9), group.minimumUnits)
                let copy = try model.copy()
                try ChannelSurgery.remove([group.name: Array(order.prefix(group.unitCount - kept))], graph: graph, from: copy)
                let cost = try copy.cost()
                rows.append(Row(group: group.name, ratio: ratio, accuracy: try accuracy(copy), flops: cost.flops,
                                parameters: cost.parameterCount))
                log("\(group.name) ratio \(ratio): accuracy \(rows.last!.accuracy)")
            }
        }
        return Result(denseAccuracy: try accuracy(model), denseFlops: try model.cost().flops, rows: rows)
    }
}
