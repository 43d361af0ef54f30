import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// What one pruning step changes: units of channel groups to remove physically, and/or unstructured masks to set.
/// A pruner's `plan` returns one; `Pruner.apply` (by default `PruningSession.apply`) carries it out.
///
/// ```swift
/// var plan = PruningPlan()
/// plan.removals["layer1.0.conv1"] = [2, 7]         // structured: surgery
/// plan.masks["fc.weight"] = mask                   // unstructured: masks kept beside the weights
/// ```
public struct PruningPlan {
    /// Group name -> units to remove (indices into the session's current graph).
    public var removals: [String: [Int]]
    /// Parameter name -> 0/1 mask of the parameter's shape.
    public var masks: [String: Tensor]

    /// A plan; empty by default.
    public init(removals: [String: [Int]] = [:], masks: [String: Tensor] = [:]) {
        self.removals = removals
        self.masks = masks
    }

    /// Whether the plan changes nothing.
    public var isEmpty: Bool { removals.values.allSatisfy(\.isEmpty) && masks.isEmpty }

    /// Units removed in total.
    public var removedUnitCount: Int { removals.values.reduce(0) { $0 + $1.count } }
}
