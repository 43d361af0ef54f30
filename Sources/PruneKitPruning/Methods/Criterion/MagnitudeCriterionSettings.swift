import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// What `l1` and `l2` score: the filter alone (Li et al., ICLR 2017, the default) or the whole coupled group
/// (Torch-Pruning's default `GroupMagnitudeImportance`: filters, BatchNorm |gamma| and the readers' input weights).
///
/// ```swift
/// var config = PruningConfig()
/// config.magnitudeCriterion.scope = .group; config.magnitudeCriterion.reduction = .sum
/// let importance = config.magnitudeCriterion.importance(norm: 1, config: config)   // GroupMagnitudeImportance
/// ```
public struct MagnitudeCriterionSettings: Codable, Equatable {
    /// Which weights score a unit.
    public enum Scope: String, Codable, Sendable, CaseIterable {
        /// The producing filters only, sum |w| (L1) or the L2 norm: Li et al.'s per-filter rule.
        case filter
        /// Every member of the coupled group, sum |w|^p reduced over members (`GroupMagnitudeImportance`).
        case group
    }

    /// Filter (default, Li et al.) or group.
    public var scope: Scope = .filter
    /// Group scope: how members combine, sum or mean (default mean, Torch-Pruning's).
    public var reduction: GroupReduction = .mean

    /// The defaults above.
    public init() {}

    /// The criterion for p = `norm`: `MagnitudeImportance` with the shared reduction (filter scope) or
    /// `GroupMagnitudeImportance` with `reduction` (group scope).
    public func importance(norm: Int, config: PruningConfig) -> Importance {
        switch scope {
        case .filter: return MagnitudeImportance(norm: norm, reduction: config.reduction ?? .sum)
        case .group: return GroupMagnitudeImportance(norm: norm, reduction: reduction)
        }
    }
}

extension MagnitudeCriterionSettings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "magnitudeCriterion"
}

extension PruningConfig {
    /// The criterion scope of `l1` and `l2` (`MagnitudeCriterionSettings`).
    public var magnitudeCriterion: MagnitudeCriterionSettings {
        get { methodSettings[MagnitudeCriterionSettings.self] }
        set { methodSettings[MagnitudeCriterionSettings.self] = newValue }
    }
}
