import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension BlockChannelPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "bpcp"
}

extension PruningConfig {
    /// BPCP's block search and its fine-tuning between BP and CP (`BlockChannelPruner`).
    public var blockPruning: BlockChannelPruner.Settings {
        get { methodSettings[BlockChannelPruner.Settings.self] }
        set { methodSettings[BlockChannelPruner.Settings.self] = newValue }
    }
}
