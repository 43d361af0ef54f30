import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PruningConfig {
    /// Coding keys of the options every method reads (target, scope, caps, overrides, rounding, steps, seed).
    public static let sharedKeys: Set<String> = [
        "target", "scope", "maximumGroupRatio", "groupRatios", "ignored", "roundTo", "reduction", "normalization",
        "iterativeSteps", "calibrationBatches", "seed",
    ]

    /// Coding keys of the `MethodSettings` each registry method reads (from its entry's `settings`); methods absent
    /// here (random) read only the shared options; l1 and l2 read `magnitudeCriterion`. Deep Compression prunes with `MagnitudeWeightPruner`, so
    /// it keeps both `magnitude` and `deepCompression`.
    public static var methodSettingsKeys: [String: [String]] {
        Dictionary(uniqueKeysWithValues: PrunerRegistry.entries.filter { !$0.settings.isEmpty }.map { ($0.name, $0.settings.map { type in type.key }) })
    }

    /// The configuration as compact JSON (sorted keys) with the shared options and only `method`'s own
    /// settings: what a pruned checkpoint's `pruning` metadata records. The other methods' settings are
    /// defaults the run never read, so recording them would only suggest they mattered.
    ///
    /// ```swift
    /// let text = try config.methodRecord(for: "slimming")   // {"iterativeSteps":1,...,"slimming":{...},"target":...}
    /// ```
    public func methodRecord(for method: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard var object = try JSONSerialization.jsonObject(with: encoder.encode(self)) as? [String: Any] else {
            throw PruneKitError.invalidArgument(operation: "PruningConfig.methodRecord", message: "the configuration did not encode as a JSON object")
        }
        let kept = Set(Self.methodSettingsKeys[method] ?? [])
        for key in object.keys where !Self.sharedKeys.contains(key) && !kept.contains(key) { object[key] = nil }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
