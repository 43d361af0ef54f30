import Foundation
import PruneKit

/// The dense architecture a pruned checkpoint came from, for `bench CKPT`'s comparison.
///
/// `prune` records it in the metadata key `dense_spec` (the spec JSON of the checkpoint it read, kept through later
/// prunes, so it names the first dense model). Without it, a zoo model's dense reference is the zoo entry of the
/// same name at the checkpoint's input shape and classes; a graph model's is the checkpoint itself.
enum DenseArchitecture {
    /// Metadata key of the dense spec JSON.
    static let metadataKey = "dense_spec"

    /// The JSON to record for a checkpoint about to be pruned: its own record if it has one, else its current spec.
    static func record(for checkpoint: ModelCheckpoint) throws -> String {
        if let recorded = checkpoint.metadata[metadataKey] { return recorded }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(checkpoint.model.currentSpec()), as: UTF8.self)
    }

    /// The dense spec for `checkpoint` (read from `path`); see the type's comment for the order of sources.
    static func spec(of checkpoint: ModelCheckpoint, path: String) throws -> ModelSpec {
        if let recorded = checkpoint.metadata[metadataKey] {
            return try ModelSpec(jsonData: Data(recorded.utf8), source: "\(path) metadata '\(metadataKey)'")
        }
        let pruned = checkpoint.model.spec
        guard pruned.family != .graph else {
            printError("note: \(path) records no dense architecture ('\(metadataKey)'); comparing its graph with itself")
            return pruned
        }
        var dense = try ModelZoo.spec(named: pruned.name)
        (dense.inputShape, dense.classCount) = (pruned.inputShape, pruned.classCount)
        return dense
    }
}
