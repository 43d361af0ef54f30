import PruneKitCore
import PruneKitNetworks
import PruneKitTraining

/// SPP's outcome (Wang et al., BMVC 2018): the column ratio, iterations of the pruning phase, columns that reached
/// p = 1 and columns the budget forced, the column sparsity of the pruned convs and the input channels removed with
/// their producer filters.
///
/// ```swift
/// report.results[StructuredProbabilisticPruningResult.self]?.prunedAtBudget    // 0 when every layer finished
/// ```
public struct StructuredProbabilisticPruningResult: MethodResult {
    /// R, the column ratio of every pruned conv (`spp_ratio`).
    public var ratio: Double?
    /// Pruning-phase iterations (`spp_iterations`).
    public var iterations: Int?
    /// Columns whose probability reached 1 (`spp_pruned_by_probability`).
    public var prunedByProbability: Int?
    /// Columns added at the end of the budget to meet the target (`spp_pruned_at_budget`).
    public var prunedAtBudget: Int?
    /// Columns in P / all columns of the pruned convs, before channel removal (`spp_column_sparsity`).
    public var columnSparsity: Double?
    /// Input channels removed physically, each with its producer filter (`spp_channels_removed`).
    public var channelsRemoved: Int?

    /// A result with the fields known so far.
    public init(ratio: Double? = nil, iterations: Int? = nil, prunedByProbability: Int? = nil, prunedAtBudget: Int? = nil,
                columnSparsity: Double? = nil, channelsRemoved: Int? = nil) {
        (self.ratio, self.iterations, self.prunedByProbability, self.prunedAtBudget) = (ratio, iterations, prunedByProbability, prunedAtBudget)
        (self.columnSparsity, self.channelsRemoved) = (columnSparsity, channelsRemoved)
    }

    enum CodingKeys: String, CodingKey {
        case ratio = "spp_ratio", iterations = "spp_iterations", prunedByProbability = "spp_pruned_by_probability"
        case prunedAtBudget = "spp_pruned_at_budget", columnSparsity = "spp_column_sparsity", channelsRemoved = "spp_channels_removed"
    }
}
