import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension SoftFilterPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "softFilter"
}

extension PruningConfig {
    /// SFP's soft-pruning epochs and schedule (`SoftFilterPruner`).
    public var softFilter: SoftFilterPruner.Settings {
        get { methodSettings[SoftFilterPruner.Settings.self] }
        set { methodSettings[SoftFilterPruner.Settings.self] = newValue }
    }
}
