import PruneKitPruning

/// A plan method's shared pruning options (`methods[].ignore`, `maxRatio`, `roundTo`, `steps`): the choices of
/// `PruningConfig` that every method understands, as prune-cli's `--ignore`, `--max-ratio`, `--round-to` and
/// `--steps` set them. Each field is optional and left out of the cell's canonical JSON when unset, so cells of
/// plans that do not use them keep their ids.
///
/// ```json
/// {"name": "l1", "label": "l1 global capped", "scope": "global", "maxRatio": 0.8, "roundTo": 8, "ignore": ["layer1", "layer2"]}
/// ```
public struct SharedSelection: Codable, Equatable {
    /// Groups or layers never pruned (names or prefixes ending in `*`), `PruningConfig.ignored`.
    public var ignore: [String]?
    /// Global scope: the largest fraction of any group's units removed, in (0, 1], `PruningConfig.maximumGroupRatio`.
    public var maxRatio: Double?
    /// Kept widths rounded up to a multiple of this, `PruningConfig.roundTo`.
    public var roundTo: Int?
    /// Steps to reach the target, `PruningConfig.iterativeSteps`.
    public var steps: Int?

    /// Nothing set.
    public init() {}

    /// Whether no field is set.
    public var isEmpty: Bool { self == SharedSelection() }

    /// Writes the set fields into `config`.
    public func apply(to config: inout PruningConfig) {
        if let ignore { config.ignored = ignore }
        if let maxRatio { config.maximumGroupRatio = maxRatio }
        if let roundTo { config.roundTo = roundTo }
        if let steps { config.iterativeSteps = steps }
    }

    /// Reads the four keys of a `methods[]` entry, each validated with its key path.
    static func parse(_ members: [String: PlanNode]) throws -> SharedSelection {
        var selection = SharedSelection()
        if let node = members["ignore"] { selection.ignore = try node.array().map { try $0.string() } }
        if let node = members["maxRatio"] { selection.maxRatio = try node.number(in: 1e-9...1) }
        if let node = members["roundTo"] { selection.roundTo = try node.integer(in: 1...4096) }
        if let node = members["steps"] { selection.steps = try node.integer(in: 1...10_000) }
        return selection
    }
}
