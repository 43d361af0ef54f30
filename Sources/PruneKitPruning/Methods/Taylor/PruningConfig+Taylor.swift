import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension TaylorPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "taylor"
}

extension PruningConfig {
    /// Molchanov et al.'s iterative Taylor pruning (`TaylorPruner`).
    public var taylor: TaylorPruner.Settings {
        get { methodSettings[TaylorPruner.Settings.self] }
        set { methodSettings[TaylorPruner.Settings.self] = newValue }
    }
}
