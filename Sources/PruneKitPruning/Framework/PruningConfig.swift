import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Every pruning option, one value passed whole to the registry, pruners and selector (STYLE.md rule 9: a new
/// option is one edit, not a new argument on every pruner). Two parts: `shared`, the options every method reads
/// (a new one is one edit in `SharedPruningOptions`), and `methodSettings`, each method's own `MethodSettings`,
/// which its folder exposes as a property (`config.taylor`, `config.softFilter`, ...), so a new method never
/// edits this file. Encoded as one flat JSON object: the shared keys plus one key per registered settings type.
///
/// ```swift
/// var config = PruningConfig()
/// config.target = .flopsRatio(0.5)          // --flops 0.5
/// config.scope = .global                    // --global
/// config.ignored = ["layer1", "layer2", "layer3"]   // --ignore: keep the residual streams
/// config.roundTo = 8                        // --round-to 8
/// ```
@dynamicMemberLookup
public struct PruningConfig: Codable, Equatable {
    /// Whether groups are pruned by the same ratio or ranked together.
    public enum Scope: String, Codable, Sendable {
        /// Every group loses the same fraction of its units (Li et al.; SFP).
        case uniform
        /// Units of all groups are ranked by normalised score and the lowest go (network slimming, Molchanov).
        case global
    }

    /// The options every method reads, also reachable as `config.target`, `config.scope`, ... (dynamic member
    /// lookup over `SharedPruningOptions`, checked by the compiler).
    public var shared = SharedPruningOptions()
    /// Each method's own settings, read through the accessors its folder declares (`config.softFilter`).
    public var methodSettings = MethodSettingsStore()

    /// The defaults: uniform, 50% of the channels, no overrides, every method at its paper's defaults.
    public init() {}

    /// A shared option, e.g. `config.target` (= `config.shared.target`).
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<SharedPruningOptions, Value>) -> Value {
        get { shared[keyPath: keyPath] }
        set { shared[keyPath: keyPath] = newValue }
    }

    /// Decodes the shared options and the registered methods' settings from one flat JSON object.
    public init(from decoder: Decoder) throws {
        shared = try SharedPruningOptions(from: decoder)
        methodSettings = try MethodSettingsStore(from: decoder)
    }

    /// Encodes the shared options and every registered method's settings as one flat JSON object (keys
    /// `target`, ..., `seed`, `taylor`, `slimming`, ...), as before the settings moved into method folders.
    public func encode(to encoder: Encoder) throws {
        try shared.encode(to: encoder)
        try methodSettings.encode(to: encoder)
    }

    /// Throws `usage` naming the option whose value is out of range.
    public func validate() throws {
        try shared.target.validate()
        guard shared.maximumGroupRatio > 0, shared.maximumGroupRatio <= 1 else {
            throw PruneKitError.invalidParameter(name: "maximumGroupRatio", expected: "a fraction in (0, 1]", found: "\(shared.maximumGroupRatio)")
        }
        guard shared.roundTo >= 1 else { throw PruneKitError.invalidParameter(name: "roundTo", expected: "an integer >= 1", found: "\(shared.roundTo)") }
        guard shared.iterativeSteps >= 1 else { throw PruneKitError.invalidParameter(name: "iterativeSteps", expected: "an integer >= 1", found: "\(shared.iterativeSteps)") }
        for (name, ratio) in shared.groupRatios where !(ratio >= 0 && ratio < 1) {
            throw PruneKitError.invalidParameter(name: "groupRatios", expected: "a fraction in [0, 1) for '\(name)'", found: "\(ratio)")
        }
    }

    /// Whether `group` is excluded by `ignored` (its name or one of its producing layers matches).
    public func isIgnored(_ group: ChannelGroup) -> Bool {
        ([group.name] + group.producers.map(\.layerName)).contains { isIgnored(layerName: $0) }
    }

    /// Whether `name` (a layer or group name) matches an `ignored` entry exactly or by a `*` prefix.
    public func isIgnored(layerName name: String) -> Bool {
        shared.ignored.contains { pattern in pattern.hasSuffix("*") ? name.hasPrefix(String(pattern.dropLast())) : name == pattern }
    }
}
