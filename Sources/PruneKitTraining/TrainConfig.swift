import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Everything that defines a training run, passed whole (STYLE.md rule 9) and stored in checkpoints.
/// Defaults are the CIFAR ResNet recipe (He et al. 2016): SGD 0.1, momentum 0.9, weight decay 5e-4 (1e-4 in the paper), batch 128.
public struct TrainConfig: Codable, Equatable {
    /// Epochs to train in total (the trainer runs until `TrainingState.completedEpochs` reaches it); default 30.
    public var epochs = 30
    /// Training images per batch (the training loader's batch size); default 128.
    public var batchSize = 128
    /// Base learning rate that `schedule` scales per iteration; default 0.1.
    public var learningRate: Float = 0.1
    /// SGD momentum factor (`SGD.momentum`); default 0.9.
    public var momentum: Float = 0.9
    /// Use Nesterov momentum (needs momentum > 0); default false.
    public var nesterov = false
    /// L2 weight-decay coefficient added to every gradient by SGD (g + weightDecay * w); default 5e-4.
    public var weightDecay: Float = 5e-4
    /// Weight decay of rank <= 1 parameters (batch-norm scale and shift, biases; `SGD.vectorWeightDecay`); nil: `weightDecay`.
    /// Fast CIFAR recipes set 0 (Goyal et al. 2017; Jordan's airbench).
    public var vectorWeightDecay: Float?
    /// How the rate moves from `learningRate` over the run (`LearningRateSchedule`); default cosine to 0 over all iterations.
    public var schedule: LearningRateSchedule = .cosine
    /// Epochs of linear warm-up (Goyal et al. 2017): during them the scheduled rate is multiplied by (t + 1) / (warmupEpochs *
    /// iterations per epoch) at iteration t; default 0 (none).
    public var warmupEpochs = 0
    /// Label-smoothing epsilon of the training loss (Szegedy et al. 2016): targets (1 - eps) onehot + eps / K; default 0.
    /// Evaluation loss is always unsmoothed.
    public var labelSmoothing: Float = 0
    /// Evaluate on each image and its mirror image and average the logits (flip test-time augmentation, as
    /// airbench and the DAWNBench CIFAR-10 entries do); default false. Training is unaffected.
    public var testTimeFlip = false
    /// Seeds initialisation, shuffling, augmentation and dropout.
    public var seed: UInt64 = 1
    /// Training-set augmentation; nil: the dataset's standard one (`DatasetKind.trainingAugmentation`: crop and
    /// flip for CIFAR, none for the MNISTs), which is what checkpoints written before this field meant.
    public var augmentation: Augmentation?
    /// Visit the training samples in a fresh seeded order every epoch (false: dataset order every epoch).
    public var shuffle = true

    /// The default recipe; set fields to change it.
    ///
    /// ```swift
    /// var config = TrainConfig(); config.epochs = 160; config.schedule = .multiStep(milestones: [80, 120], gamma: 0.1)
    /// let optimizer = try config.makeOptimizer()
    /// ```
    public init() {}

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, momentum, nesterov, weightDecay, schedule, warmupEpochs, labelSmoothing, seed
        case augmentation, shuffle, vectorWeightDecay, testTimeFlip
    }

    /// Decodes a stored configuration; `augmentation`, `shuffle`, `vectorWeightDecay` and `testTimeFlip` may be absent
    /// (checkpoints written before they existed), which means the behaviour of then: the dataset's augmentation,
    /// shuffled, every tensor decayed alike, plain evaluation.
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
        vectorWeightDecay = try container.decodeIfPresent(Float.self, forKey: .vectorWeightDecay)
        testTimeFlip = try container.decodeIfPresent(Bool.self, forKey: .testTimeFlip) ?? false
    }

    /// SGD built from this configuration.
    public func makeOptimizer() throws -> SGD {
        try SGD(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay,
                vectorWeightDecay: vectorWeightDecay)
    }
}

/// Metrics of one finished epoch.
public struct EpochRecord: Codable, Equatable {
    /// Index of the epoch, 0-based (displayed as epoch + 1).
    public var epoch: Int
    /// The learning rate of the epoch's last iteration.
    public var learningRate: Float
    /// Mean training loss per sample over the epoch (training mode, with label smoothing, weights changing as it ran).
    public var trainLoss: Float
    /// Top-1 accuracy on the training batches over the epoch, a fraction in [0, 1].
    public var trainAccuracy: Float
    /// Mean unsmoothed loss on the evaluation set after the epoch (eval mode); nil without an evaluation set.
    public var testLoss: Float?
    /// Top-1 accuracy on the evaluation set, a fraction in [0, 1]; nil without an evaluation set.
    public var testAccuracy: Float?
    /// Wall-clock seconds of the epoch's training pass and its hooks (evaluation not included).
    public var seconds: Double
    /// Training images processed per wall-clock second over `seconds`.
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
    /// Epoch (0-based) of `bestAccuracy`; -1 before any evaluation.
    public var bestEpoch = -1
    /// Per-epoch metrics so far.
    public var history: [EpochRecord] = []

    /// A fresh run whose dropout stream derives from `seed`.
    public init(seed: UInt64) { generator = SplitMix64(seed: seed ^ 0x5EED_D40F) }
}
