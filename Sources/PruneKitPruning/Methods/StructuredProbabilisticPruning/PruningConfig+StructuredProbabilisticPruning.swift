import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension StructuredProbabilisticPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "structuredProbabilisticPruning"
}

extension PruningConfig {
    /// SPP's increment, update interval and pruning phase (`StructuredProbabilisticPruner`).
    public var structuredProbabilisticPruning: StructuredProbabilisticPruner.Settings {
        get { methodSettings[StructuredProbabilisticPruner.Settings.self] }
        set { methodSettings[StructuredProbabilisticPruner.Settings.self] = newValue }
    }
}
