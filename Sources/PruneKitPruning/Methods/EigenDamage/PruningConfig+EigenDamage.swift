import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension EigenDamagePruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "eigenDamage"
}

extension PruningConfig {
    /// Wang et al.'s EigenDamage (`EigenDamagePruner`).
    public var eigenDamage: EigenDamagePruner.Settings {
        get { methodSettings[EigenDamagePruner.Settings.self] }
        set { methodSettings[EigenDamagePruner.Settings.self] = newValue }
    }
}
