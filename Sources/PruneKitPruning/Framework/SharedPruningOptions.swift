import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The options every method reads: target, scope, caps, overrides, rounding, criterion combination, steps,
/// seed. `PruningConfig` stores them in `shared` and exposes each field as its own (`config.target`), so adding a
/// shared option is one edit here plus its key in `PruningConfig.sharedKeys` (which `PruningConfigRecordTests`
/// checks, so a checkpoint record never drops it).
///
/// ```swift
/// var options = SharedPruningOptions()
/// options.target = .flopsRatio(0.5)
/// options.ignored = ["layer1", "layer2", "layer3"]
/// ```
public struct SharedPruningOptions: Codable, Equatable {
    /// How much to prune.
    public var target: PruningTarget = .channelRatio(0.5)
    /// Uniform or global selection; nil: the method's default (global for Taylor and network slimming,
    /// uniform otherwise).
    public var scope: PruningConfig.Scope?
    /// Global scope: no group loses more than this fraction of its units (a per-layer cap); 1 = no cap beyond
    /// keeping one unit.
    public var maximumGroupRatio: Double = 1
    /// Per-group overrides: group name -> fraction of its units removed, whatever the target and scope.
    public var groupRatios: [String: Double] = [:]
    /// Groups never pruned: a group name (`layer2`, `feature.0`), the name of one of its producing layers
    /// (`conv1`, `layer1.0.bn2`), or a prefix ending in `*` (`layer3.*`).
    public var ignored: [String] = []
    /// Kept widths are rounded up to a multiple of this (vector-friendly widths; 1 = no rounding).
    public var roundTo: Int = 1
    /// How criteria combine the members of a group (nil: the method's default).
    public var reduction: GroupReduction?
    /// Normalisation before global ranking (nil: the method's default).
    public var normalization: ScoreNormalization?
    /// One-shot criteria: reach the target in this many equal steps, re-scoring in between (Torch-Pruning's
    /// `iterative_steps`).
    public var iterativeSteps: Int = 1
    /// Batches used by data-driven criteria (Taylor statistics outside the iterative loop).
    public var calibrationBatches: Int = 10
    /// Seed of random choices (random criterion).
    public var seed: UInt64 = 0

    /// The defaults: uniform, 50% of the channels, no overrides.
    public init() {}
}
