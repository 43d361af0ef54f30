import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// A stretch of training a pruner asks for before it selects (network slimming's sparsity training, SFP's soft
/// masking epochs, GReg's growing penalty, sDprun's gRDA run, BPCP's gate search) or between steps (Han et al.'s
/// retraining). `PruningSession.train` runs it with the session's training data.
///
/// ```swift
/// var recipe = TrainConfig(); recipe.epochs = 10; recipe.learningRate = 0.01
/// return TrainingPhase(name: "sparsity training", config: recipe, hooks: [BatchNormSparsityHook(penalty: 1e-4)])
/// ```
public struct TrainingPhase {
    /// For logs and errors ("sparsity training").
    public var name: String
    /// Epochs, learning rate and schedule (batch size, augmentation and shuffling come from the data provider).
    public var config: TrainConfig
    /// Regularisers, masks, gates: called by the trainer at its hook points.
    public var hooks: [TrainingHook]
    /// The update rule; nil: SGD from `config`, or the session's optimizer when `continuesOptimizer`.
    public var optimizer: Optimizer?
    /// Keep the session's optimizer (and its sliced momentum) instead of starting a fresh one.
    public var continuesOptimizer: Bool
    /// Installed on the training forward passes (gates).
    public var layerOutputHook: ((_ layer: Layer, _ input: Variable, _ output: Variable) throws -> Variable)?
    /// Called after each epoch (checkpointing).
    public var onEpochEnd: ((TrainingState) throws -> Void)?

    /// A phase; SGD from `config` unless `optimizer` is given.
    public init(name: String, config: TrainConfig, hooks: [TrainingHook] = [], optimizer: Optimizer? = nil,
                continuesOptimizer: Bool = false) {
        self.name = name
        self.config = config
        self.hooks = hooks
        self.optimizer = optimizer
        self.continuesOptimizer = continuesOptimizer
    }
}
