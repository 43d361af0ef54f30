import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension NetworkSlimmingPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "slimming"
}

extension PruningConfig {
    /// Network slimming's sparsity training and threshold (`NetworkSlimmingPruner`).
    public var slimming: NetworkSlimmingPruner.Settings {
        get { methodSettings[NetworkSlimmingPruner.Settings.self] }
        set { methodSettings[NetworkSlimmingPruner.Settings.self] = newValue }
    }
}
