import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// sDprun's outcome (Li et al., arXiv:2107.05328): the zero groups gRDA produced, its final threshold and steps,
/// accuracy and cost ratios before any top-up, and the units the top-up removed to meet the target.
///
/// ```swift
/// report.results[DirectionalPruningResult.self]?.zeroGroups
/// ```
public struct DirectionalPruningResult: MethodResult {
    /// Groups exactly zero after gRDA (`sdprun_zero_groups`).
    public var zeroGroups: Int?
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
    /// Units the L2 top-up removed to meet the target (`sdprun_extra_units_removed`).
    public var extraUnitsRemoved: Int?

    /// A result with the fields known so far.
    public init(zeroGroups: Int? = nil, threshold: Double? = nil, steps: Int? = nil, accuracyBeforeRemoval: Double? = nil,
                flopsRatioAfterDualAveraging: Double? = nil, parameterRatioAfterDualAveraging: Double? = nil, extraUnitsRemoved: Int? = nil) {
        (self.zeroGroups, self.threshold, self.steps, self.accuracyBeforeRemoval) = (zeroGroups, threshold, steps, accuracyBeforeRemoval)
        (self.flopsRatioAfterDualAveraging, self.parameterRatioAfterDualAveraging) = (flopsRatioAfterDualAveraging, parameterRatioAfterDualAveraging)
        self.extraUnitsRemoved = extraUnitsRemoved
    }

    enum CodingKeys: String, CodingKey {
        case zeroGroups = "sdprun_zero_groups", threshold = "sdprun_threshold", steps = "sdprun_steps"
        case accuracyBeforeRemoval = "sdprun_accuracy_before_removal", flopsRatioAfterDualAveraging = "sdprun_flops_ratio_after_grda"
        case parameterRatioAfterDualAveraging = "sdprun_parameter_ratio_after_grda", extraUnitsRemoved = "sdprun_extra_units_removed"
    }
}
