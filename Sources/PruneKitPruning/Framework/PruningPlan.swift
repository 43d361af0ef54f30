import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// What one pruning step changes: units of channel groups to remove physically, residual blocks to remove (an
/// architecture change: `StructuralSurgery.removeResidualBlocks`), and/or unstructured masks to set.
/// A pruner's `plan` returns one; `Pruner.apply` (by default `PruningSession.apply`) carries it out.
///
/// ```swift
/// var plan = PruningPlan()
/// plan.removals["layer1.0.conv1"] = [2, 7]         // structured: surgery
/// plan.masks["fc.weight"] = mask                   // unstructured: masks kept beside the weights
/// plan.removedBlocks = ["layer2.3.add"]            // blocks: the branch goes, the shortcut stays (BPCP)
/// ```
public struct PruningPlan {
    /// Group name -> units to remove (indices into the session's current graph).
    public var removals: [String: [Int]]
    /// Parameter name -> 0/1 mask of the parameter's shape.
    public var masks: [String: Tensor]
    /// The `add` nodes (`NetworkGraph.residualJoins`) whose residual branches go; applied before `removals`, which
    /// then index the groups of the graph without those blocks.
    public var removedBlocks: [String]
    /// Batch-norm name -> output channels kept by the convolution before it: that convolution and batch norm are
    /// narrowed and a channel scatter keeps the stream full width (`StructuralSurgery.insertScatters`, SFP's
    /// paper form); applied after `removals`.
    public var scatters: [String: [Int]] = [:]

    /// A plan; empty by default.
    public init(removals: [String: [Int]] = [:], masks: [String: Tensor] = [:], removedBlocks: [String] = []) {
        self.removals = removals
        self.masks = masks
        self.removedBlocks = removedBlocks
    }

    /// Whether the plan changes nothing.
    public var isEmpty: Bool { removals.values.allSatisfy(\.isEmpty) && masks.isEmpty && removedBlocks.isEmpty && scatters.isEmpty }

    /// Units removed in total.
    public var removedUnitCount: Int { removals.values.reduce(0) { $0 + $1.count } }
}
