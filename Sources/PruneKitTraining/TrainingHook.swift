import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// What a hook sees of a running training loop.
public final class TrainingContext {
    /// The network being trained.
    public let model: Layer
    /// The optimizer (hooks may read or slice its state).
    public let optimizer: Optimizer
    /// Current epoch (0-based) and iteration within it.
    public internal(set) var epoch = 0, iteration = 0
    /// Iterations completed since the start of training (across epochs and resumes).
    public internal(set) var globalIteration = 0
    /// Loss of the current batch (set after the forward pass).
    public internal(set) var loss: Float = 0
    /// Set by a hook to end training after the current iteration (e.g. GReg's stabilisation is over).
    public var shouldStop = false

    init(model: Layer, optimizer: Optimizer) { (self.model, self.optimizer) = (model, optimizer) }
}

/// The points at which pruning methods act during training (STYLE.md rule 10: small protocol, no-op
/// defaults). Designed from ../shared/methods: slimming, GReg and IncReg add regularisation gradients
/// after backward; SFP re-applies masks after the optimizer step or at epoch end; SPP draws a mask before each
/// forward pass, masks and restores in `afterBackward`; GReg stops training when its penalties have grown.
public protocol TrainingHook: AnyObject {
    /// Once before the first epoch (SFP masks the initial weights here).
    func beforeTraining(_ context: TrainingContext) throws
    /// At the start of every epoch.
    func beforeEpoch(_ context: TrainingContext) throws
    /// Every iteration after the gradients are zeroed, before the forward pass: swap in masked weights here (SPP's
    /// Monte Carlo column mask, so forward and backward both see W * m).
    func beforeIteration(_ context: TrainingContext) throws
    /// After backward, before the optimizer step: add regularisation gradients here.
    func afterBackward(_ context: TrainingContext) throws
    /// After the optimizer step: re-apply masks here.
    func afterOptimizerStep(_ context: TrainingContext) throws
    /// After the last iteration of an epoch, before evaluation: re-select soft masks here.
    func afterEpoch(_ context: TrainingContext) throws
}

extension TrainingHook {
    /// Default: does nothing.
    public func beforeTraining(_ context: TrainingContext) throws {}
    /// Default: does nothing.
    public func beforeEpoch(_ context: TrainingContext) throws {}
    /// Default: does nothing.
    public func beforeIteration(_ context: TrainingContext) throws {}
    /// Default: does nothing.
    public func afterBackward(_ context: TrainingContext) throws {}
    /// Default: does nothing.
    public func afterOptimizerStep(_ context: TrainingContext) throws {}
    /// Default: does nothing.
    public func afterEpoch(_ context: TrainingContext) throws {}
}
