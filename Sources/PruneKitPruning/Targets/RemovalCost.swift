import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Analytic cost of a candidate removal without touching the model: the widths each group's units remove
/// (`ChannelGroup.widthEffects`) are subtracted from the graph's spec, and `ModelCost` counts parameters and
/// FLOPs exactly as for a built model. Target searches call this dozens of times; it builds no layers.
///
/// ```swift
/// let cost = try RemovalCost(graph: graph).cost(of: ["layer1.0.conv1": [0, 1, 2]])
/// cost.flops        // FLOPs per image after removing those 3 channels
/// ```
public struct RemovalCost {
    /// The graph whose spec and groups removals refer to.
    public let graph: DependencyGraph
    private let groups: [String: ChannelGroup]

    /// Costs relative to `graph`'s model.
    public init(graph: DependencyGraph) {
        self.graph = graph
        groups = Dictionary(uniqueKeysWithValues: graph.groups.map { ($0.name, $0) })
    }

    /// The spec after removing `removals[group]` units of each group.
    public func spec(after removals: [String: [Int]]) throws -> ModelSpec {
        var spec = graph.spec
        var widths = Dictionary(uniqueKeysWithValues: spec.widthTable.map { ($0.name, $0.width) })
        var changed = Set<String>()
        for (name, units) in removals {
            guard let group = groups[name] else { _ = try graph.group(named: name); continue }
            for (entry, perUnit) in group.widthEffects {
                widths[entry]! -= units.reduce(0) { $0 + perUnit[$1] }
                changed.insert(entry)
            }
        }
        for entry in changed.sorted() { try spec.setWidth(of: entry, to: widths[entry]!) }
        return spec
    }

    /// Parameters and FLOPs after the removals.
    public func cost(of removals: [String: [Int]]) throws -> ModelCost {
        try ModelCost(spec: spec(after: removals))
    }
}
