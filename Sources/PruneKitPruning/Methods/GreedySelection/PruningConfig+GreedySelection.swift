import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension GreedySelectionPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "greedySelection"
}

extension PruningConfig {
    /// Greedy forward selection's settings (`GreedySelectionPruner`).
    public var greedySelection: GreedySelectionPruner.Settings {
        get { methodSettings[GreedySelectionPruner.Settings.self] }
        set { methodSettings[GreedySelectionPruner.Settings.self] = newValue }
    }
}
