import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// IncReg's outcome (Wang et al., IJCNN 2019): how many groups reached the ceiling tau and how many the budget
/// forced, iterations, and in column mode the column sparsity and the input channels it emptied.
///
/// ```swift
/// report.results[IncrementalRegularizationResult.self]?.prunedAtBudget    // 0 when every layer finished
/// ```
public struct IncrementalRegularizationResult: MethodResult {
    /// Groups masked by lambda >= tau (`increg_pruned_at_ceiling`).
    public var prunedAtCeiling: Int?
    /// Groups added at the end to meet the target (`increg_pruned_at_budget`).
    public var prunedAtBudget: Int?
    /// Regularisation iterations (`increg_iterations`).
    public var iterations: Int?
    /// Column mode: masked / all columns (`increg_column_sparsity`).
    public var columnSparsity: Double?
    /// Column mode: input channels removed because all their columns were masked (`increg_channels_removed`).
    public var channelsRemoved: Int?

    /// A result with the fields known so far.
    public init(prunedAtCeiling: Int? = nil, prunedAtBudget: Int? = nil, iterations: Int? = nil, columnSparsity: Double? = nil,
                channelsRemoved: Int? = nil) {
        (self.prunedAtCeiling, self.prunedAtBudget, self.iterations) = (prunedAtCeiling, prunedAtBudget, iterations)
        (self.columnSparsity, self.channelsRemoved) = (columnSparsity, channelsRemoved)
    }

    enum CodingKeys: String, CodingKey {
        case prunedAtCeiling = "increg_pruned_at_ceiling", prunedAtBudget = "increg_pruned_at_budget", iterations = "increg_iterations"
        case columnSparsity = "increg_column_sparsity", channelsRemoved = "increg_channels_removed"
    }
}
