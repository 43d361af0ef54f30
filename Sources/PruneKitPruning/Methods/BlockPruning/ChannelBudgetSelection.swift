import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// BPCP's channel-pruning selection (`channel_prune.py` of the official code): a global budget counted in BatchNorm
/// channels, filled greedily from the globally least important unit.
///
///     budget = int(total_BN_channels * percent)          (percent 0.2 in code, 0.3-0.5 in Table 2)
///     repeat: take the unit with the smallest score over all groups; remove it from every member of its group;
///             removed += the BatchNorm channels it takes (one per BatchNorm member: a residual stream's unit
///             counts once per BN reading the stream)
///     until removed >= budget
///
/// Scores are `BatchNormScaleImportance(reduction: .max)`: a stream unit's importance is the element-wise max of its
/// member BNs' |gamma|. The last pick may overshoot the budget by up to (BN members of its group - 1).
/// Never empty a layer: a group keeps `minimumUnits` (one) unit; since units are taken in ascending order, the one it
/// keeps is its most important ([proposal] of the spec: the code keeps the last index picked instead). Ties go to
/// the earlier group, then the lower unit index. Groups without BatchNorm (no score) and ignored groups are not
/// pruned and do not count in the total.
///
/// ```swift
/// let scores = try session.scores(BatchNormScaleImportance(reduction: .max))
/// let removals = ChannelBudgetSelection.select(groups: session.graph.groups, scores: scores, percent: 0.2)
/// ```
public enum ChannelBudgetSelection {
    /// BatchNorm channels unit u of `group` removes: sum over its BatchNorm members of their channels for u.
    public static func batchNormChannels(of group: ChannelGroup) -> [Int] {
        let norms = group.members.filter { $0.role == .batchNorm }
        return (0..<group.unitCount).map { unit in norms.reduce(0) { $0 + $1.channels[unit].count } }
    }

    /// int(total * percent), total = the BatchNorm channels of the scored groups.
    public static func budget(groups: [ChannelGroup], scores: [String: [Float]], percent: Double) -> Int {
        let total = groups.filter { scores[$0.name] != nil }.reduce(0) { $0 + batchNormChannels(of: $1).reduce(0, +) }
        return Int(Double(total) * percent + 1e-9)
    }

    /// The units to remove per group (ascending indices) for `percent` of the BatchNorm channels.
    public static func select(groups: [ChannelGroup], scores: [String: [Float]], percent: Double) -> [String: [Int]] {
        let target = budget(groups: groups, scores: scores, percent: percent)
        var candidates: [(score: Float, group: Int, unit: Int)] = []
        for (position, group) in groups.enumerated() {
            guard let values = scores[group.name], values.count == group.unitCount else { continue }
            candidates += values.enumerated().map { ($0.element, position, $0.offset) }
        }
        candidates.sort { ($0.score, $0.group, $0.unit) < ($1.score, $1.group, $1.unit) }
        let channels = groups.map(batchNormChannels)
        var removed: [Int: [Int]] = [:], count = 0
        for candidate in candidates where count < target {
            let group = groups[candidate.group]
            guard removed[candidate.group, default: []].count < group.removableUnits else { continue }
            removed[candidate.group, default: []].append(candidate.unit)
            count += channels[candidate.group][candidate.unit]
        }
        return Dictionary(uniqueKeysWithValues: removed.map { (groups[$0.key].name, $0.value.sorted()) })
    }
}
