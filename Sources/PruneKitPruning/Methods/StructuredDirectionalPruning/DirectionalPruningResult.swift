import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// sDprun's outcome (Li et al., arXiv:2107.05328): the groups gRDA removed (exactly zero after training), its
/// final threshold and steps, accuracy and cost ratios before any top-up, and the groups the L2 top-up removed to
/// meet a target (0 when gRDA met it, or without a target). A result with a top-up is no longer pure sDprun: the
/// two counts say how much of it is.
///
/// ```swift
/// report.results[DirectionalPruningResult.self]?.groupsRemovedByDualAveraging   // "sdprun_groups_removed_by_grda"
/// report.results[DirectionalPruningResult.self]?.groupsRemovedByTopUp           // "sdprun_groups_removed_by_top_up"
/// ```
public struct DirectionalPruningResult: MethodResult {
    /// Groups exactly zero after gRDA and removed (`sdprun_groups_removed_by_grda`; a layer whose groups are all
    /// zero keeps one, not counted).
    public var groupsRemovedByDualAveraging: Int?
    /// g, the final soft threshold (`sdprun_threshold`).
    public var threshold: Double?
    /// gRDA steps n (`sdprun_steps`).
    public var steps: Int?
    /// Top-1 accuracy before removing the zero groups (`sdprun_accuracy_before_removal`).
    public var accuracyBeforeRemoval: Double?
    /// FLOPs / dense FLOPs after removing the zero groups (`sdprun_flops_ratio_after_grda`).
    public var flopsRatioAfterDualAveraging: Double?
    /// Parameters / dense parameters after removing them (`sdprun_parameter_ratio_after_grda`).
    public var parameterRatioAfterDualAveraging: Double?
    /// Groups (one output channel each) the smallest-L2 top-up removed to meet the target
    /// (`sdprun_groups_removed_by_top_up`).
    public var groupsRemovedByTopUp: Int?

    /// A result with the fields known so far.
    public init(groupsRemovedByDualAveraging: Int? = nil, threshold: Double? = nil, steps: Int? = nil, accuracyBeforeRemoval: Double? = nil,
                flopsRatioAfterDualAveraging: Double? = nil, parameterRatioAfterDualAveraging: Double? = nil, groupsRemovedByTopUp: Int? = nil) {
        (self.groupsRemovedByDualAveraging, self.threshold, self.steps) = (groupsRemovedByDualAveraging, threshold, steps)
        self.accuracyBeforeRemoval = accuracyBeforeRemoval
        (self.flopsRatioAfterDualAveraging, self.parameterRatioAfterDualAveraging) = (flopsRatioAfterDualAveraging, parameterRatioAfterDualAveraging)
        self.groupsRemovedByTopUp = groupsRemovedByTopUp
    }

    enum CodingKeys: String, CodingKey {
        case groupsRemovedByDualAveraging = "sdprun_groups_removed_by_grda", threshold = "sdprun_threshold", steps = "sdprun_steps"
        case accuracyBeforeRemoval = "sdprun_accuracy_before_removal", flopsRatioAfterDualAveraging = "sdprun_flops_ratio_after_grda"
        case parameterRatioAfterDualAveraging = "sdprun_parameter_ratio_after_grda", groupsRemovedByTopUp = "sdprun_groups_removed_by_top_up"
    }
}
