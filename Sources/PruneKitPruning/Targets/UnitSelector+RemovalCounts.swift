import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PruningSession {
    /// How many units each eligible group loses, for methods that fix the counts before training and pick the
    /// units later (SFP re-picks every epoch, GReg-2 picks when lambda reaches tau_pick).
    ///
    /// - A channel-ratio target with uniform scope uses the method's own rounding `count(N, ratio)` per group
    ///   (SFP: floor(N P); GReg: min(ceil(pr N), N - 1)), with `groupRatios` overriding the ratio per group.
    /// - FLOPs and parameter targets, and global scope, go through `UnitSelector` with `scores` (the criterion on
    ///   the current weights): its search over a uniform ratio (or a global threshold) sets the counts.
    /// Groups for which `isEligible` is false, or that the config ignores, lose nothing. Every count is capped by
    /// the group's `removableUnits`.
    ///
    /// ```swift
    /// let counts = try session.removalCounts(scores: l2, isEligible: { _ in true }) { n, p in Int((Double(n) * p).rounded(.down)) }
    /// ```
    public func removalCounts(scores: [String: [Float]], isEligible: (ChannelGroup) -> Bool,
                              count: (Int, Double) -> Int) throws -> [String: Int] {
        let eligible = graph.groups.filter { isEligible($0) && !config.isIgnored($0) && scores[$0.name] != nil }
        if case let .channelRatio(ratio) = config.target, (config.scope ?? .uniform) == .uniform {
            return Dictionary(uniqueKeysWithValues: eligible.map { group in
                let unitRatio = config.groupRatios[group.name] ?? ratio
                return (group.name, min(max(count(group.unitCount, unitRatio), 0), group.removableUnits))
            })
        }
        var restricted = config
        let eligibleNames = Set(eligible.map(\.name))
        restricted.ignored += graph.groups.map(\.name).filter { !eligibleNames.contains($0) }
        let selector = UnitSelector(graph: graph, config: restricted, referenceCost: denseCost, initialUnits: initialUnits,
                                    defaultScope: .uniform)
        let removals = try selector.select(scores: scores, normalization: config.normalization ?? .mean)
        return Dictionary(uniqueKeysWithValues: eligible.map { ($0.name, removals[$0.name]?.count ?? 0) })
    }
}
