import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The one allocator from a target to per-group removals (Torch-Pruning's `BasePruner` policy, without the
/// pruning): per-group scores and a `PruningConfig` become the units to remove, or with `removalCounts` how many
/// per group. Uniform or global scope, a per-group cap, per-group overrides, ignored groups, rounding of kept
/// widths, the method's `RemovalCountRule` for channel ratios, and FLOPs or parameter targets solved by a search
/// over a global threshold (or a uniform ratio).
///
/// Ratios are measured against `initialUnits` (the widths when pruning started) and FLOPs/parameter fractions
/// against `referenceCost` (the dense model), so iterative pruning reaches the same end point as one shot.
/// Within a group the lowest-scored units go first (ties: lower index first).
///
/// ```swift
/// let selector = UnitSelector(graph: graph, config: config, referenceCost: try model.cost())
/// let removals = try selector.select(scores: scores, normalization: .l2)   // ["layer1.0.conv1": [3, 9], ...]
/// ```
public struct UnitSelector {
    /// The model's groups now.
    public let graph: DependencyGraph
    /// Target, scope, cap, overrides, ignored groups, rounding.
    public let config: PruningConfig
    /// The dense model's cost (FLOPs and parameter targets are fractions of it).
    public let referenceCost: ModelCost
    /// Units per group when pruning started (ratio targets are fractions of it).
    public let initialUnits: [String: Int]
    /// `config.scope`, or the method's default when the config leaves it open.
    public let scope: PruningConfig.Scope
    /// How a channel ratio (the target's or a group override) rounds to a count (default: Li et al.'s).
    public let countRule: RemovalCountRule

    /// A selector; `initialUnits` defaults to the graph's current unit counts, `defaultScope` applies when
    /// `config.scope` is nil.
    public init(graph: DependencyGraph, config: PruningConfig, referenceCost: ModelCost, initialUnits: [String: Int]? = nil,
                defaultScope: PruningConfig.Scope = .uniform, countRule: RemovalCountRule = .keepTruncated) {
        self.graph = graph
        self.countRule = countRule
        self.config = config
        scope = config.scope ?? defaultScope
        self.referenceCost = referenceCost
        self.initialUnits = initialUnits ?? Dictionary(uniqueKeysWithValues: graph.groups.map { ($0.name, $0.unitCount) })
    }

    /// One prunable group with its scores and limits.
    struct Candidate {
        let group: ChannelGroup
        let normalized: [Float]
        /// Units by ascending score (ties: lower index first).
        let order: [Int]
        let initial: Int
        /// Most units this selection may remove from the group now.
        let limit: Int
        /// Fixed removal count from `groupRatios`, if overridden.
        let fixed: Int?
    }

    /// The units to remove for `target` (default: the config's). `scores` maps group names to one score per unit;
    /// groups absent from it, or ignored, are left alone. Throws when a FLOPs or parameter target cannot be met, and
    /// for `none`.
    public func select(scores: [String: [Float]], normalization: ScoreNormalization,
                       target: PruningTarget? = nil) throws -> [String: [Int]] {
        let candidates = try makeCandidates(scores, normalization)
        switch target ?? config.target {
        case let .channelRatio(ratio):
            return removal(scope == .uniform ? uniformCounts(candidates, ratio: ratio, rule: countRule)
                                                   : globalCounts(candidates, count: globalNeed(candidates, ratio)), candidates)
        case let .flopsRatio(fraction):
            return try search(candidates, budget: fraction * Double(referenceCost.flops), metric: { Double($0.flops) }, parameter: "flopsRatio")
        case let .parameterRatio(fraction):
            return try search(candidates, budget: fraction * Double(referenceCost.parameterCount),
                              metric: { Double($0.parameterCount) }, parameter: "parameterRatio")
        case .unconstrained:
            throw PruningTarget.requiredError(by: "selecting units")
        }
    }

    /// The `count` globally lowest units by normalised score (caps and overrides apply), e.g. network slimming's
    /// threshold rule.
    public func selectLowest(count: Int, scores: [String: [Float]], normalization: ScoreNormalization) throws -> [String: [Int]] {
        let candidates = try makeCandidates(scores, normalization)
        return removal(globalCounts(candidates, count: count), candidates)
    }

    private func makeCandidates(_ scores: [String: [Float]], _ normalization: ScoreNormalization) throws -> [Candidate] {
        try config.validate()
        return try graph.groups.compactMap { group -> Candidate? in
            guard let raw = scores[group.name], !config.isIgnored(group), group.removableUnits > 0 else { return nil }
            guard raw.count == group.unitCount, raw.allSatisfy(\.isFinite) else {
                throw PruneKitError.shapeMismatch(operation: "unit selection for group '\(group.name)'",
                                                  expected: "\(group.unitCount) finite scores", found: "\(raw.count) scores")
            }
            let initial = initialUnits[group.name] ?? group.unitCount, removedAlready = initial - group.unitCount
            let cap = scope == .global ? Int(Double(initial) * config.maximumGroupRatio + 1e-9) - removedAlready : Int.max
            let fixed = config.groupRatios[group.name].map { keepCount(initial: initial, ratio: $0, group: group, rule: countRule) }
            return Candidate(group: group, normalized: normalization.normalize(raw),
                             order: raw.indices.sorted { raw[$0] != raw[$1] ? raw[$0] < raw[$1] : $0 < $1 }, initial: initial,
                             limit: max(0, min(group.removableUnits, cap)), fixed: fixed)
        }
    }

    /// Units to remove now so that `rule` removes its count of `initial` in all (Li et al.'s: int(initial (1 - ratio))
    /// remain), within what the group allows, then rounded.
    private func keepCount(initial: Int, ratio: Double, group: ChannelGroup, rule: RemovalCountRule) -> Int {
        let count = rule.removalCount(units: initial, ratio: ratio) - (initial - group.unitCount)
        return rounded(min(max(count, 0), group.removableUnits), group)
    }

    /// Rounds the kept units of `group` up to a multiple of `roundTo` (in units: roundTo / channels per unit).
    private func rounded(_ count: Int, _ group: ChannelGroup) -> Int {
        guard config.roundTo > 1 else { return count }
        let step = roundingStep(group)
        let kept = group.unitCount - count, roundedKept = min(group.unitCount, (kept + step - 1) / step * step)
        return group.unitCount - roundedKept
    }

    /// `roundTo` in units of `group`.
    private func roundingStep(_ group: ChannelGroup) -> Int {
        config.roundTo % group.channelsPerUnit == 0 ? config.roundTo / group.channelsPerUnit : config.roundTo
    }

    /// Counts at a uniform `ratio`: the method's rule for a ratio target, Li et al.'s (monotone) in a search.
    private func uniformCounts(_ candidates: [Candidate], ratio: Double, rule: RemovalCountRule = .keepTruncated) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: candidates.map {
            ($0.group.name, $0.fixed ?? keepCount(initial: $0.initial, ratio: ratio, group: $0.group, rule: rule))
        })
    }

    /// Units still to remove for a global ratio over the non-overridden groups.
    private func globalNeed(_ candidates: [Candidate], _ ratio: Double) -> Int {
        let free = candidates.filter { $0.fixed == nil }
        let initial = free.reduce(0) { $0 + $1.initial }, current = free.reduce(0) { $0 + $1.group.unitCount }
        return max(0, Int(Double(initial) * ratio + 1e-9) - (initial - current))
    }

    /// Counts per group after taking the first `count` units of the global order (overrides fixed), rounded.
    private func globalCounts(_ candidates: [Candidate], count: Int) -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: candidates.map { ($0.group.name, $0.fixed ?? 0) })
        for (index, _) in globalOrder(candidates).prefix(count) { counts[candidates[index].group.name]! += 1 }
        for candidate in candidates where candidate.fixed == nil {
            counts[candidate.group.name] = rounded(counts[candidate.group.name]!, candidate.group)
        }
        return counts
    }

    /// (candidate index, unit) of the non-overridden groups by ascending normalised score, each group's units in
    /// its own order and at most `limit` of them.
    private func globalOrder(_ candidates: [Candidate]) -> [(Int, Int)] {
        var entries: [(score: Float, candidate: Int, rank: Int)] = []
        for (index, candidate) in candidates.enumerated() where candidate.fixed == nil {
            for (rank, unit) in candidate.order.prefix(candidate.limit).enumerated() {
                entries.append((candidate.normalized[unit], index, rank))
            }
        }
        entries.sort { ($0.score, $0.candidate, $0.rank) < ($1.score, $1.candidate, $1.rank) }
        return entries.map { ($0.candidate, candidates[$0.candidate].order[$0.rank]) }
    }

    /// Group -> the `counts[group]` lowest units, ascending.
    private func removal(_ counts: [String: Int], _ candidates: [Candidate]) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for candidate in candidates {
            let count = counts[candidate.group.name] ?? 0
            if count > 0 { result[candidate.group.name] = candidate.order.prefix(count).sorted() }
        }
        return result
    }

    /// The least removal whose cost meets `budget`: binary search over the global prefix length, or over the
    /// uniform ratio; then a forward scan in case rounding made the cost non-monotone.
    private func search(_ candidates: [Candidate], budget: Double, metric: @escaping (ModelCost) -> Double, parameter: String) throws -> [String: [Int]] {
        let costs = RemovalCost(graph: graph)
        let fits = { (counts: [String: Int]) throws -> Bool in metric(try costs.cost(of: removal(counts, candidates))) <= budget }
        let global = scope == .global
        let length = global ? globalOrder(candidates).count : 1 << 20
        let countsAt = { (step: Int) -> [String: Int] in
            global ? globalCounts(candidates, count: step) : uniformCounts(candidates, ratio: Double(step) / Double(length + 1))
        }
        guard try fits(countsAt(length)) else {
            let best = metric(try costs.cost(of: removal(countsAt(length), candidates))) / (budget == 0 ? 1 : budget)
            throw PruneKitError.invalidParameter(name: parameter, expected: "a reachable target",
                found: "removing every prunable unit leaves \(String(format: "%.3f", best))x the budget; prune more groups (fewer ignored) or raise the target")
        }
        var (low, high) = (-1, length)  // fits(high) holds; fits(low) is taken as false
        while high - low > 1 {
            let middle = (low + high) / 2
            if try fits(countsAt(middle)) { high = middle } else { low = middle }
        }
        var step = max(high, 0)
        while step < length, !(try fits(countsAt(step))) { step += 1 }
        return removal(try givingBack(countsAt(step), candidates, fits), candidates)
    }

    /// With rounding, the cost jumps by whole rounding steps, so the least satisfying setting can overshoot the
    /// budget by a lot; give single steps back (largest groups first) while the budget still holds.
    private func givingBack(_ counts: [String: Int], _ candidates: [Candidate],
                            _ fits: ([String: Int]) throws -> Bool) throws -> [String: Int] {
        guard config.roundTo > 1 else { return counts }
        var result = counts
        for candidate in candidates.sorted(by: { $0.group.unitCount > $1.group.unitCount }) where candidate.fixed == nil {
            let name = candidate.group.name, step = roundingStep(candidate.group)
            while result[name]! >= step {
                var trial = result
                trial[name]! -= step
                guard try fits(trial) else { break }
                result = trial
            }
        }
        return result
    }
}
