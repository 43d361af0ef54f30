import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// GReg's stage-wise ratios for CIFAR ResNets (greg.md "Layer-wise pruning ratios": `--stage_pr`).
extension PruningConfig {
    /// `--stage_pr [0, r1, r2, r3, 0]` for CIFAR ResNet-`depth`: the first conv of every block of stage s
    /// (groups `layerS.B.conv1`) gets ratio r_s; stem, residual streams and classifier get 0.
    /// ResNet-56 of the paper: `stageRatios` [0.75, 0.75, 0.32] (2.55x FLOPs).
    ///
    /// ```swift
    /// var config = try PruningConfig.growingRegularizationStages(resNetDepth: 56, stageRatios: [0.75, 0.75, 0.32])
    /// ```
    public static func growingRegularizationStages(resNetDepth depth: Int, stageRatios: [Double]) throws -> PruningConfig {
        guard stageRatios.count == 3, (depth - 2) % 6 == 0 else {
            throw PruneKitError.invalidParameter(name: "stageRatios", expected: "3 ratios for a CIFAR ResNet of depth 6n+2", found: "\(stageRatios.count) for depth \(depth)")
        }
        var config = PruningConfig()
        config.target = .channelRatio(0)
        let blocks = (depth - 2) / 6
        for stage in 0..<3 { for block in 0..<blocks { config.groupRatios["layer\(stage + 1).\(block).conv1"] = stageRatios[stage] } }
        return config
    }
}

extension GrowingRegularizationPruner.Settings: MethodSettings {
    /// `PruningConfig`'s JSON key and accessor name.
    public static let key = "growingRegularization"
}

extension PruningConfig {
    /// GReg-1/2's growing penalty (`GrowingRegularizationPruner`).
    public var growingRegularization: GrowingRegularizationPruner.Settings {
        get { methodSettings[GrowingRegularizationPruner.Settings.self] }
        set { methodSettings[GrowingRegularizationPruner.Settings.self] = newValue }
    }
}
