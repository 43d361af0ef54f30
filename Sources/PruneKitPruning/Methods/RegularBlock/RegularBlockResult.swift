import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// BMWM/DARB totals over the pruned layers (`RegularBlockStorage`): kept weights, realised compression and the bytes of
/// the regular-block format against dense, CSR and relative-index storage.
///
/// ```swift
/// report.results[RegularBlockResult.self]?.realisedCompression     // e.g. 15.8
/// ```
public struct RegularBlockResult: MethodResult {
    /// K over the pruned layers (`kept_weights`).
    public var keptWeights: Int
    /// R N over the pruned layers (`pruned_layer_weights`).
    public var prunedLayerWeights: Int
    /// prunedLayerWeights / keptWeights (`realised_compression`).
    public var realisedCompression: Double
    /// Bytes per format (`dense_bytes`, `regular_block_bytes`, `csr_bytes`, `relative_index_bytes`).
    public var denseBytes: Int, regularBlockBytes: Int, csrBytes: Int, relativeIndexBytes: Int

    /// The totals of `total` (`RegularBlockStorage.total`).
    public init(_ total: RegularBlockStorage) {
        (keptWeights, prunedLayerWeights) = (total.keptWeights, total.denseBytes / 4)
        realisedCompression = Double(prunedLayerWeights) / Double(max(keptWeights, 1))
        (denseBytes, regularBlockBytes, csrBytes, relativeIndexBytes) = (total.denseBytes, total.regularBlockBytes, total.csrBytes, total.relativeIndexBytes)
    }

    enum CodingKeys: String, CodingKey {
        case keptWeights = "kept_weights", prunedLayerWeights = "pruned_layer_weights", realisedCompression = "realised_compression"
        case denseBytes = "dense_bytes", regularBlockBytes = "regular_block_bytes", csrBytes = "csr_bytes", relativeIndexBytes = "relative_index_bytes"
    }
}

/// Per-layer BMWM/DARB numbers as results keys `<layer>.kept_weights`, `<layer>.regular_block_bytes`, `<layer>.csr_bytes`,
/// `<layer>.relative_index_bytes`, `<layer>.dense_bytes`.
public struct RegularBlockLayerResults: MethodResult {
    /// Key -> number.
    public var values: [String: Double]

    /// The keys of `rows`.
    public init(_ rows: [RegularBlockStorage]) {
        values = [:]
        for row in rows {
            for (key, value) in [("kept_weights", row.keptWeights), ("regular_block_bytes", row.regularBlockBytes), ("csr_bytes", row.csrBytes),
                                 ("relative_index_bytes", row.relativeIndexBytes), ("dense_bytes", row.denseBytes)] {
                values["\(row.layer).\(key)"] = Double(value)
            }
        }
    }

    /// The flat object.
    public init(from decoder: Decoder) throws { values = try decoder.singleValueContainer().decode([String: Double].self) }

    /// The flat object.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
