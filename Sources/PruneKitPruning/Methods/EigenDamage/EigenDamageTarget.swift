import Foundation
import PruneKitCore
import PruneKitNetworks

/// The threshold that meets a pruning target (a [proposal]: the paper sets the ratio r of directions directly).
/// `.channelRatio(r)`: θ = sorted[floor(r N)] as the paper. `.flopsRatio(f)` / `.parameterRatio(f)`: the smallest
/// threshold index whose bottleneck network costs at most f^(t/T) of the dense model at step t of T, found by bisection
/// over the sorted importances, each candidate costed analytically on the edited graph (`ModelCost`, rotation layers
/// included). Throws `invalidParameter(target)` when even the largest threshold (every cap active) cannot reach it.
///
/// ```swift
/// let kept = try EigenDamageTarget.keptDirections(selection, session: session)
/// ```
public enum EigenDamageTarget {
    /// The kept directions per factorised layer for the session's target at its current step.
    public static func keptDirections(_ selection: EigenDirectionSelection, session: PruningSession) throws -> [String: EigenDirectionSelection.Kept] {
        let steps = Double(max(session.config.iterativeSteps, 1)), progress = Double(session.step + 1) / steps
        let graph = try session.model.currentGraph()
        let measure: (ModelCost) -> Int, goal: Double
        switch session.config.target {
        case let .channelRatio(ratio):
            return selection.select(ratio: ratio)
        case .unconstrained:
            throw PruneKitError.invalidParameter(name: "target", expected: "a ratio, FLOPs or parameter target for eigendamage",
                                                 found: "none")
        case let .flopsRatio(fraction):
            (measure, goal) = ({ $0.flops }, Double(session.denseCost.flops) * pow(fraction, progress))
        case let .parameterRatio(fraction):
            (measure, goal) = ({ $0.parameterCount }, Double(session.denseCost.parameterCount) * pow(fraction, progress))
        }
        let cost = { (index: Int) throws -> Double in
            Double(measure(try ModelCost(spec: ModelSpec(name: session.model.spec.name, graph: try edited(graph, selection.select(thresholdIndex: index))))))
        }
        var (low, high) = (0, selection.directionCount - 1)
        let reachable = try cost(high)
        guard reachable <= goal else {
            throw PruneKitError.invalidParameter(name: "target", expected: "a cost EigenDamage can reach at ratio limit \(selection.ratioLimit)",
                                                 found: "\(Int(goal)) needed, \(Int(reachable)) at the largest threshold")
        }
        while low < high {
            let middle = (low + high) / 2
            if try cost(middle) <= goal { high = middle } else { low = middle + 1 }
        }
        return selection.select(thresholdIndex: low)
    }

    /// `graph` with every kept layer at its new ranks (a convolution becomes a factorised one).
    public static func edited(_ graph: NetworkGraph, _ kept: [String: EigenDirectionSelection.Kept]) throws -> NetworkGraph {
        var result = graph
        for (name, keep) in kept.sorted(by: { $0.key < $1.key }) {
            guard let index = result.nodes.firstIndex(where: { $0.name == name }) else { continue }
            if case var .factorisedConvolution(attributes) = result.nodes[index].operation {
                (attributes.inputRank, attributes.outputRank) = (keep.input.count, keep.output.count)
                result.nodes[index].operation = .factorisedConvolution(attributes)
            } else {
                result = try result.replacingConvolution(named: name, inputRank: keep.input.count, outputRank: keep.output.count)
            }
        }
        return result
    }
}
