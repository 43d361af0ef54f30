import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Magnitude pruning's (and Deep Compression's) weight sparsity after the last round (Han et al., NeurIPS 2015).
///
/// ```swift
/// report.results[MagnitudeResult.self]?.weightSparsity    // 0.9
/// ```
public struct MagnitudeResult: MethodResult {
    /// Fraction of the prunable weights masked (`weight_sparsity`).
    public var weightSparsity: Double

    /// A result.
    public init(weightSparsity: Double) { self.weightSparsity = weightSparsity }

    enum CodingKeys: String, CodingKey { case weightSparsity = "weight_sparsity" }
}
