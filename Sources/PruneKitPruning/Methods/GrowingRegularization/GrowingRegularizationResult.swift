import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// GReg's regularisation phase (Wang et al., ICLR 2021): iterations run and the largest lambda reached.
///
/// ```swift
/// report.results[GrowingRegularizationResult.self]?.maximumPenalty    // > tau = 1 when growth finished
/// ```
public struct GrowingRegularizationResult: MethodResult {
    /// Iterations of the phase (`greg_iterations`).
    public var iterations: Int
    /// max lambda over all filters (`greg_max_penalty`).
    public var maximumPenalty: Double

    /// A result.
    public init(iterations: Int, maximumPenalty: Double) { (self.iterations, self.maximumPenalty) = (iterations, maximumPenalty) }

    enum CodingKeys: String, CodingKey { case iterations = "greg_iterations", maximumPenalty = "greg_max_penalty" }
}
