import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// BatchNorm scale |gamma| (Liu et al., "Learning Efficient Convolutional Networks through Network Slimming",
/// ICCV 2017): a unit's score in a BatchNorm member is sum |gamma_c| over its channels (one channel for a plain
/// layer), reduced across the group's BatchNorms with `reduction` (BPCP uses max over the BNs of a residual
/// stream). Groups without BatchNorm (MLP, LeNet-5) get no score and are not pruned by this criterion.
///
/// ```swift
/// let criterion = BatchNormScaleImportance()
/// try criterion.scores(for: graph.group(named: "feature.0"), in: vgg)   // |gamma| of feature.1
/// ```
public struct BatchNormScaleImportance: Importance {
    /// How the BatchNorms of a group combine.
    public var reduction: GroupReduction

    /// A |gamma| criterion.
    public init(reduction: GroupReduction = .mean) { self.reduction = reduction }

    /// "bn-scale".
    public var name: String { "bn-scale" }

    /// sum |gamma| per unit and BatchNorm, reduced; nil without BatchNorm.
    public func scores(for group: ChannelGroup, in model: Model) throws -> [Float]? {
        var perMember: [[Float]] = []
        for member in group.members where member.role == .batchNorm {
            let gamma = try PrunableLayer(model, named: member.layerName).parameters(for: .batchNorm)[0].variable.value.scalars
            perMember.append(member.channels.map { channels in channels.reduce(Float(0)) { $0 + abs(gamma[$1]) } })
        }
        return perMember.isEmpty ? nil : reduction.reduce(perMember)
    }
}
