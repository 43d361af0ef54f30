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

extension RegularBlockPruner.Settings {
    private enum CodingKeys: String, CodingKey {
        case blockSize, compression, classifierMinimumInputs, includesFirstConvolution, steps, retraining
    }

    /// Decodes what is present and keeps the defaults otherwise, so configs written before `steps` and `retraining`
    /// existed (reports, checkpoint histories, experiment manifests) still read.
    public init(from decoder: Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        blockSize = try container.decodeIfPresent(Int.self, forKey: .blockSize)
        compression = try container.decodeIfPresent(Double.self, forKey: .compression)
        classifierMinimumInputs = try container.decodeIfPresent(Int.self, forKey: .classifierMinimumInputs) ?? classifierMinimumInputs
        includesFirstConvolution = try container.decodeIfPresent(Bool.self, forKey: .includesFirstConvolution) ?? includesFirstConvolution
        steps = try container.decodeIfPresent(Int.self, forKey: .steps) ?? steps
        retraining = try container.decodeIfPresent(TrainConfig.self, forKey: .retraining) ?? retraining
    }
}
