import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Group magnitude (Torch-Pruning's `GroupMagnitudeImportance`, its default criterion; Fang et al., "DepGraph:
/// Towards Any Structural Pruning", CVPR 2023): a unit is scored over the whole coupled group, not its filter alone.
/// Per member m the unit's local score is sum |w|^p over everything it owns there,
///
///     producers (conv filters [K_in, k, k], linear rows):   sum |w|^p
///     BatchNorm:                                            |gamma|^p
///     readers (next convs' input slices [K_out, k, k], linear columns, c*H*W columns after a flatten): sum |w|^p
///
/// then s_u = reduction over members (`sum`, or `mean` = sum / member count, Torch-Pruning's default). As in
/// Torch-Pruning, p = 2 sums squares without the root; for p = 1 the producer term alone is Li et al.'s L1 score.
/// Biases and BatchNorm beta are not counted.
///
/// Shape contract: one score per unit of `group`; nil when the group has no weighted member.
///
/// ```swift
/// let group = try graph.group(named: "conv1")        // LeNet-5: conv1 filters + conv2 input channels
/// let scores = try GroupMagnitudeImportance(norm: 1, reduction: .sum).scores(for: group, in: model)!
/// // scores[u] = sum |conv1.weight[u]| + sum |conv2.weight[:, u]|
/// ```
public struct GroupMagnitudeImportance: Importance {
    /// p: 1 or 2.
    public var norm: Int
    /// How member scores combine: mean (Torch-Pruning's default) or sum.
    public var reduction: GroupReduction

    /// A group L`norm` criterion.
    public init(norm: Int = 1, reduction: GroupReduction = .mean) {
        (self.norm, self.reduction) = (norm, reduction)
    }

    /// "group-l1" or "group-l2".
    public var name: String { "group-l\(norm)" }

    /// sum |w|^p of each unit per member (producers, BatchNorm gamma, readers), reduced.
    public func scores(for group: ChannelGroup, in model: Model) throws -> [Float]? {
        guard norm == 1 || norm == 2 else {
            throw PruneKitError.invalidParameter(name: "norm", expected: "1 or 2", found: "\(norm)")
        }
        let slices = try UnitSlices(group: group, model: model, roles: [.output, .batchNorm, .input])
        let perMember = slices.memberTotals { norm == 1 ? abs($0) : $0 * $0 }
        return perMember.isEmpty ? nil : reduction.reduce(perMember)
    }
}
