import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension ParameterOBDPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "parameterOBD"
}

extension PruningConfig {
    /// EigenDamage's parameter-coordinate baselines C-OBD and Kron-OBD (`ParameterOBDPruner`).
    public var parameterOBD: ParameterOBDPruner.Settings {
        get { methodSettings[ParameterOBDPruner.Settings.self] }
        set { methodSettings[ParameterOBDPruner.Settings.self] = newValue }
    }
}
