import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Everything that defines a training run, passed whole (STYLE.md rule 9) and stored in checkpoints.
/// Defaults are the CIFAR ResNet recipe (He et al. 2016): SGD 0.1, momentum 0.9, weight decay 5e-4 (1e-4 in the paper), batch 128.
public struct TrainConfig: Codable, Equatable {
    public var epochs = 30
    public var batchSize = 128
    public var learningRate: Float = 0.1
    public var momentum: Float = 0.9
    public var nesterov = false
    public var weightDecay: Float = 5e-4
    public var schedule: LearningRateSchedule = .cosine
    public var warmupEpochs = 0
    public var labelSmoothing: Float = 0
    /// Seeds initialisation, shuffling, augmentation and dropout.
    public var seed: UInt64 = 1

    public init() {}

    /// SGD built from this configuration.
    public func makeOptimizer() throws -> SGD {
        try SGD(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
    }
}

/// Metrics of one finished epoch.
public struct EpochRecord: Codable, Equatable {
    public var epoch: Int
    public var learningRate: Float
    public var trainLoss: Float
    public var trainAccuracy: Float
    public var testLoss: Float?
    public var testAccuracy: Float?
    public var seconds: Double
    public var imagesPerSecond: Double
}

/// Where a run stands: what a checkpoint stores besides tensors, enough to resume exactly.
public struct TrainingState: Codable, Equatable {
    /// Epochs fully completed (the next epoch to run).
    public var completedEpochs = 0
    /// Iterations completed in total.
    public var globalIteration = 0
    /// State of the dropout generator at the end of the last completed epoch.
    public var generator = SplitMix64(seed: 0)
    /// Best test accuracy so far and its epoch (-1 before any evaluation).
    public var bestAccuracy: Float = -1
    public var bestEpoch = -1
    /// Per-epoch metrics so far.
    public var history: [EpochRecord] = []

    /// A fresh run whose dropout stream derives from `seed`.
    public init(seed: UInt64) { generator = SplitMix64(seed: seed ^ 0x5EED_D40F) }
}
