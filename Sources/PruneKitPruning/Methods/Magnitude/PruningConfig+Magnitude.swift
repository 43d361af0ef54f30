import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension MagnitudeWeightPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "magnitude"
}

extension PruningConfig {
    /// Han et al.'s magnitude pruning with retraining (`MagnitudeWeightPruner`; Deep Compression reads it too).
    public var magnitude: MagnitudeWeightPruner.Settings {
        get { methodSettings[MagnitudeWeightPruner.Settings.self] }
        set { methodSettings[MagnitudeWeightPruner.Settings.self] = newValue }
    }
}
