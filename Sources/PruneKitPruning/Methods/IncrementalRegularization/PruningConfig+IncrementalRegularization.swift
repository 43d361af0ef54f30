import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension IncrementalRegularizationPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "incrementalRegularization"
}

extension PruningConfig {
    /// IncReg's increment, ceiling and regularisation phase (`IncrementalRegularizationPruner`).
    public var incrementalRegularization: IncrementalRegularizationPruner.Settings {
        get { methodSettings[IncrementalRegularizationPruner.Settings.self] }
        set { methodSettings[IncrementalRegularizationPruner.Settings.self] = newValue }
    }
}
