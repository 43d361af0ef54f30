import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Every pruning option, one value passed whole to the registry, pruners and selector (STYLE.md rule 9: a new
/// option is one edit here, not a new argument on every pruner). Method-specific settings live in their own
/// nested structs (`taylor`, `slimming`, `magnitude`, `deepCompression`).
///
/// ```swift
/// var config = PruningConfig()
/// config.target = .flopsRatio(0.5)          // --flops 0.5
/// config.scope = .global                    // --global
/// config.ignored = ["layer1", "layer2", "layer3"]   // --ignore: keep the residual streams
/// config.roundTo = 8                        // --round-to 8
/// ```
public struct PruningConfig: Codable, Equatable {
    /// Whether groups are pruned by the same ratio or ranked together.
    public enum Scope: String, Codable, Sendable {
        /// Every group loses the same fraction of its units (Li et al.; SFP).
        case uniform
        /// Units of all groups are ranked by normalised score and the lowest go (network slimming, Molchanov).
        case global
    }

    /// How much to prune.
    public var target: PruningTarget = .channelRatio(0.5)
    /// Uniform or global selection; nil: the method's default (global for Taylor and network slimming,
    /// uniform otherwise).
    public var scope: Scope?
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
    /// Molchanov et al.'s iterative Taylor pruning.
    public var taylor = TaylorPruner.Settings()
    /// Network slimming's sparsity training and threshold.
    public var slimming = NetworkSlimmingPruner.Settings()
    /// Han et al.'s magnitude pruning with retraining.
    public var magnitude = MagnitudeWeightPruner.Settings()
    /// Deep Compression's weight sharing and coding.
    public var deepCompression = DeepCompressionPruner.Settings()
    /// SFP's soft-pruning epochs and schedule.
    public var softFilter = SoftFilterPruner.Settings()
    /// GReg-1/2's growing penalty.
    public var growingRegularization = GrowingRegularizationPruner.Settings()
    /// IncReg's increment, ceiling and regularisation phase.
    public var incrementalRegularization = IncrementalRegularizationPruner.Settings()
    /// sDprun's gRDA solver and training.
    public var directionalPruning = StructuredDirectionalPruner.Settings()

    /// The defaults: uniform, 50% of the channels, no overrides.
    public init() {}

    /// Throws `usage` naming the option whose value is out of range.
    public func validate() throws {
        try target.validate()
        guard maximumGroupRatio > 0, maximumGroupRatio <= 1 else {
            throw PruneKitError.invalidParameter(name: "maximumGroupRatio", expected: "a fraction in (0, 1]", found: "\(maximumGroupRatio)")
        }
        guard roundTo >= 1 else { throw PruneKitError.invalidParameter(name: "roundTo", expected: "an integer >= 1", found: "\(roundTo)") }
        guard iterativeSteps >= 1 else { throw PruneKitError.invalidParameter(name: "iterativeSteps", expected: "an integer >= 1", found: "\(iterativeSteps)") }
        for (name, ratio) in groupRatios where !(ratio >= 0 && ratio < 1) {
            throw PruneKitError.invalidParameter(name: "groupRatios", expected: "a fraction in [0, 1) for '\(name)'", found: "\(ratio)")
        }
    }

    /// Whether `group` is excluded by `ignored` (its name or one of its producing layers matches).
    public func isIgnored(_ group: ChannelGroup) -> Bool {
        ([group.name] + group.producers.map(\.layerName)).contains { isIgnored(layerName: $0) }
    }

    /// Whether `name` (a layer or group name) matches an `ignored` entry exactly or by a `*` prefix.
    public func isIgnored(layerName name: String) -> Bool {
        ignored.contains { pattern in pattern.hasSuffix("*") ? name.hasPrefix(String(pattern.dropLast())) : name == pattern }
    }
}
