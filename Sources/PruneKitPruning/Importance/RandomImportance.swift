import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Uniform random scores in [0, 1), a sanity baseline (as Torch-Pruning's `RandomImportance`; random channel
/// selection is the control in "Rethinking the Value of Network Pruning", Liu et al. ICLR 2019). The scores of a
/// group depend only on `seed` and the group's name (FNV-1a), so they do not change with the order groups are
/// asked in.
///
/// ```swift
/// let scores = try RandomImportance(seed: 7).scores(for: group, in: model)
/// ```
public struct RandomImportance: Importance {
    /// Seed of every group's stream.
    public var seed: UInt64

    /// Random scores from `seed`.
    public init(seed: UInt64 = 0) { self.seed = seed }

    /// "random".
    public var name: String { "random" }

    /// unitCount uniform values in [0, 1) from the group's stream.
    public func scores(for group: ChannelGroup, in model: Model) throws -> [Float]? {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a offset basis
        for byte in group.name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var generator = SplitMix64(seed: seed ^ hash)
        return (0..<group.unitCount).map { _ in generator.nextUniform() }
    }
}
