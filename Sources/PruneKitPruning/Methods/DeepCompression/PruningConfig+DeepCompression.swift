import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension DeepCompressionPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "deepCompression"
}

extension PruningConfig {
    /// Deep Compression's weight sharing and coding (`DeepCompressionPruner`).
    public var deepCompression: DeepCompressionPruner.Settings {
        get { methodSettings[DeepCompressionPruner.Settings.self] }
        set { methodSettings[DeepCompressionPruner.Settings.self] = newValue }
    }
}
