import Foundation
import PruneKitCore
import PruneKitData
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning

/// Everything that determines a dense model: trained from a recipe (once per model, dataset and seed, shared by
/// the cells that start from it) or read from a checkpoint (named by its SHA-256, so the id does not depend on
/// where the file lies). `id` hashes the sorted-key JSON of all of it.
public struct DenseConfiguration: Codable, Equatable {
    /// Bumped when the meaning of a field changes, so old results are not reused.
    public var version = 1
    /// Dataset and zoo model names.
    public var dataset: String, model: String
    /// Initialisation and training seed.
    public var seed: UInt64
    /// The resolved training recipe (nil for a checkpoint).
    public var training: TrainConfig?
    /// SHA-256 of the checkpoint file (nil when trained).
    public var checkpointSHA256: String?
    /// Training-image limit (the dense training sees the same subset as the cells).
    public var trainLimit: Int?
    /// Test-image limit for the dense evaluation.
    public var testLimit: Int?

    /// 16 hex digits of the SHA-256 of the canonical JSON.
    public var id: String { canonicalIdentifier(of: self) }
}

/// Everything that determines one cell's result; its `id` names `DIR/cells/<id>/`, so editing a plan reruns
/// exactly the cells whose configuration changed.
public struct CellConfiguration: Codable, Equatable {
    /// Bumped when the meaning of a field changes.
    public var version = 1
    /// The dense model the cell prunes.
    public var dense: DenseConfiguration
    /// Registry method name, scope override and option texts.
    public var method: String, scope: PruningConfig.Scope?, options: [String: String]
    /// Shared pruning options; nil (left out of the id's JSON) when the plan sets none.
    public var shared: SharedSelection?
    /// The pruning target.
    public var target: PruningTarget
    /// Seed of pruning and fine-tuning.
    public var seed: UInt64
    /// The resolved fine-tuning recipe (nil: none).
    public var fineTuning: TrainConfig?
    /// Latency batch sizes (empty: none).
    public var latencyBatchSizes: [Int]

    /// 16 hex digits of the SHA-256 of the canonical JSON.
    public var id: String { canonicalIdentifier(of: self) }

    /// The pruning configuration: the method's options, scope, target and seed.
    public func pruningConfig() throws -> PruningConfig {
        var config = PruningConfig()
        config.target = target
        config.scope = scope
        config.seed = seed
        shared?.apply(to: &config)
        let known = MethodOption.all.filter { $0.applies(to: method) }
        for (name, text) in options.sorted(by: { $0.key < $1.key }) {
            guard let option = known.first(where: { $0.name == name }) else {
                throw PruneKitError.invalidParameter(name: name, expected: "an option of method '\(method)'", found: "'\(name)'")
            }
            try option.apply(&config, text)
        }
        try config.validate()
        return config
    }
}

/// One cell of an expanded plan.
public struct ExperimentCell: Codable, Equatable {
    /// Position in the expansion (grid order, then explicit cells); shards take index % count.
    public var index: Int
    /// The method's label in the tables (not part of the id: renaming a label reruns nothing).
    public var label: String
    /// The configuration; `configuration.id` names the cell.
    public var configuration: CellConfiguration
    /// The dense checkpoint to prune when the plan names one (nil: the shared trained model).
    public var checkpointPath: String?

    /// The cell's id.
    public var id: String { configuration.id }
}

/// Sorted-key JSON of `value` (the canonical form), hashed with SHA-256; the first 16 hex digits.
func canonicalIdentifier<T: Encodable>(of value: T) -> String {
    String(SHA256.hexDigest(of: Array(canonicalJSON(value))).prefix(16))
}

/// Sorted-key JSON without escaped slashes: equal values give equal bytes.
func canonicalJSON<T: Encodable>(_ value: T, pretty: Bool = false) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
    // The configurations hold only numbers, strings and containers: encoding cannot fail.
    return try! encoder.encode(value)
}
