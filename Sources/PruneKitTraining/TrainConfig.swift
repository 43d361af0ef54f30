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
    /// Training-set augmentation; nil: the dataset's standard one (`DatasetKind.trainingAugmentation`: crop and
    /// flip for CIFAR, none for the MNISTs), which is what checkpoints written before this field meant.
    public var augmentation: Augmentation?
    /// Visit the training samples in a fresh seeded order every epoch (false: dataset order every epoch).
    public var shuffle = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, momentum, nesterov, weightDecay, schedule, warmupEpochs, labelSmoothing, seed
        case augmentation, shuffle
    }

    /// Decodes a stored configuration; `augmentation` and `shuffle` may be absent (checkpoints written before
    /// they existed), which means today's behaviour: the dataset's augmentation, shuffled.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try container.decode(Int.self, forKey: .epochs)
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        learningRate = try container.decode(Float.self, forKey: .learningRate)
        momentum = try container.decode(Float.self, forKey: .momentum)
        nesterov = try container.decode(Bool.self, forKey: .nesterov)
        weightDecay = try container.decode(Float.self, forKey: .weightDecay)
        schedule = try container.decode(LearningRateSchedule.self, forKey: .schedule)
        warmupEpochs = try container.decode(Int.self, forKey: .warmupEpochs)
        labelSmoothing = try container.decode(Float.self, forKey: .labelSmoothing)
        seed = try container.decode(UInt64.self, forKey: .seed)
        augmentation = try container.decodeIfPresent(Augmentation.self, forKey: .augmentation)
        shuffle = try container.decodeIfPresent(Bool.self, forKey: .shuffle) ?? true
    }

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
