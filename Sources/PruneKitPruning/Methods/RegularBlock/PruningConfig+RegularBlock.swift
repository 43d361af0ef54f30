import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension RegularBlockPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "regular_block"
}

extension PruningConfig {
    /// BMWM's and DARB's options (`RegularBlockPruner`).
    public var regularBlock: RegularBlockPruner.Settings {
        get { methodSettings[RegularBlockPruner.Settings.self] }
        set { methodSettings[RegularBlockPruner.Settings.self] = newValue }
    }
}
