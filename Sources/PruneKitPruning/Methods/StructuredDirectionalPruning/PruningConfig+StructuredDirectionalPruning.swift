import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension StructuredDirectionalPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "directionalPruning"
}

extension PruningConfig {
    /// sDprun's gRDA solver and training (`StructuredDirectionalPruner`).
    public var directionalPruning: StructuredDirectionalPruner.Settings {
        get { methodSettings[StructuredDirectionalPruner.Settings.self] }
        set { methodSettings[StructuredDirectionalPruner.Settings.self] = newValue }
    }
}
