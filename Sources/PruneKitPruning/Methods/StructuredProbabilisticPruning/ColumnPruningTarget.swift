import Foundation
import PruneKitCore
import PruneKitNetworks

/// Which convolutions SPP prunes and the column ratio R of each (spp.md "[proposal]": the same R for every conv
/// except the first; first conv and classifier untouched).
///
/// - `--ratio R`: R itself, per layer (`groupRatios[conv]` overrides it for one conv).
/// - `--flops F` (keep a fraction F of the model's FLOPs, as for every other method): a conv's FLOPs are
///   2 H_out W_out OC (kept columns), so removing a fraction R of its columns removes the fraction R of its FLOPs.
///   With P_f the FLOPs of the pruned convs and T the model's total (`Model.cost`), one R for all of them solves
///   T - R P_f = F T, i.e. R = (1 - F) T / P_f. Each layer removes ceil(R N_g) >= R N_g columns and the channel
///   propagation removes producer filters too, so the result is at most F T (at most a few columns' FLOPs below).
///   A target the pruned convs cannot reach (R >= 1) is an error naming `flops`.
///
/// ```swift
/// let convs = try ColumnPruningTarget.prunedConvolutions(of: model, config: config)
/// let ratio = try ColumnPruningTarget.ratio(for: .flopsRatio(0.5), cost: try model.cost(), pruned: convs)
/// ```
public enum ColumnPruningTarget {
    /// Names of the graph's convolution nodes in order, except the first and ignored ones (`--ignore`).
    public static func prunedConvolutions(of model: Model, config: PruningConfig) throws -> [String] {
        let convolutions = try model.currentGraph().nodes.compactMap { node -> String? in
            if case .convolution = node.operation { return node.name }
            return nil
        }
        return convolutions.dropFirst().filter { !config.isIgnored(layerName: $0) }
    }

    /// Throws for a target SPP cannot take (a parameter target, or none); column ratios and FLOPs fractions pass.
    public static func validate(_ target: PruningTarget) throws {
        switch target {
        case .channelRatio, .flopsRatio: return
        case .parameterRatio:
            throw PruneKitError.invalidParameter(name: "params", expected: "--ratio R (column ratio per conv) or --flops F for spp", found: "a parameter target")
        case .unconstrained:
            throw PruningTarget.requiredError(by: "SPP")
        }
    }

    /// R for `target` (see the type's comment); throws for a parameter target or no target.
    public static func ratio(for target: PruningTarget, cost: ModelCost, pruned: [String]) throws -> Double {
        switch target {
        case let .channelRatio(ratio): return ratio
        case let .flopsRatio(fraction):
            let prunable = Double(pruned.compactMap { cost.layer(named: $0)?.flops }.reduce(0, +)), total = Double(cost.flops)
            let ratio = prunable > 0 ? (1 - fraction) * total / prunable : .infinity
            guard ratio < 1 else {
                let floor = prunable > 0 ? 1 - prunable / total : 1
                throw PruneKitError.invalidParameter(name: "flops", expected: String(format: "a fraction above %.4f for SPP on %@ (the first conv, classifier and other layers stay)", floor, cost.modelName),
                                                     found: "\(fraction)")
            }
            return max(ratio, 0)
        case .parameterRatio, .unconstrained:
            try validate(target)
            return 0
        }
    }
}
