import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// A pruning method: *how many, where and when* (STYLE.md rules 7 and 10). It requires only `plan`, the choice of
/// what to remove at a step; every other hook has a no-op default, so a method is one short file. The pipeline
/// (`PruningPipeline.run`) drives it:
///
///     reparameterize -> trainingPhase (train) -> repeat { prepare -> plan -> apply } until isComplete
///     -> finish -> fine-tune with fineTuningHooks
///
/// `DependencyGraph` says what is coupled, `Importance` scores units, `UnitSelector` applies targets, and
/// `ChannelSurgery` / `WeightMasks` change the model; pruners combine them.
///
/// How the methods of ../shared/methods map onto the protocol:
/// - **Baselines** (baselines.md). L1/L2 filter norm (Li et al. 2017) and random: `plan` = criterion scores ->
///   `UnitSelector` (one shot; `iterativeSteps` for several). Taylor (Molchanov et al. 2017): `prepare` runs N
///   SGD updates while `TaylorImportance` accumulates, `plan` removes the globally lowest L2-normalised maps,
///   `isComplete` once the target is met. Network slimming: `trainingPhase` = sparsity training with
///   `BatchNormSparsityHook` (gamma.grad += lambda sign(gamma)), `plan` = global |gamma| threshold. Han et al.:
///   `plan` returns masks, `prepare` retrains between steps, `fineTuningHooks` keep masks. Deep Compression: the
///   same, then `finish` clusters weights (k-means) and records the Huffman-coded size, and `fineTuningHooks`
///   train the shared centroids. Pruning from scratch (Wang et al.): `reparameterize` adds gates through
///   `TrainingPhase.layerOutputHook`, `trainingPhase` trains only the gates, `plan` = top-k gates by binary search
///   to the FLOPs target (`UnitSelector`), then train the small network.
/// - **SFP** (sfp.md): `trainingPhase` with a hook whose `beforeTraining`/`afterEpoch` zero the lowest-L2 filters
///   (no gradient mask, so they can regrow); `plan` removes the filters that are exactly zero at the end.
/// - **SPP** (spp.md, `StructuredProbabilisticPruner`): `trainingPhase` with a hook that updates per-column pruning
///   probabilities and draws a Monte Carlo column mask every iteration (`beforeIteration` swaps W * m in,
///   `afterBackward` masks gradients and restores, `afterOptimizerStep` re-zeroes the permanent columns); step 1's
///   plan returns the permanent column masks, step 2's removes input channels whose columns are all pruned (and their
///   producer filters); `finish` turns the masks into `SparsityRecord.columns` on the convs.
/// - **GReg-1/2** (greg.md): `trainingPhase` with a hook adding lambda * w to selected filters' gradients in
///   `afterBackward`, growing lambda every K_u iterations and setting `context.shouldStop` after stabilising;
///   GReg-2 picks its filters inside the hook once lambda reaches tau_pick; `plan` removes the selected filters.
/// - **IncReg** (increg.md): `trainingPhase` hook with per-group lambda updated by the rank increment, masking
///   groups whose lambda reaches tau, stopping when every layer has reached its ratio; `plan` removes the
///   masked groups (row mode) or returns column masks (column mode).
/// - **sDprun** (sdprun.md): `trainingPhase` with `optimizer` = a gRDA group soft-threshold optimizer
///   (conforming to `Optimizer`); `plan` removes groups whose producing weights are all zero; no fine-tuning.
/// - **EigenDamage** (eigendamage.md): `prepare` collects K-FAC factors through `ForwardContext.layerOutputHook`
///   (inputs, and output gradients through gates); `reparameterize` replaces each conv/linear by the 1x1 - core -
///   1x1 bottleneck (a Models extension: a factorised layer kind in `ModelSpec` so checkpoints rebuild it), after
///   which the bottleneck's inner channels are ordinary groups of the rebuilt `DependencyGraph`; `plan` removes
///   eigen-directions by the global threshold with a per-layer cap.
/// - **C-OBD / Kron-OBD / Kron-OBS / C-OBS** (eigendamage.md baselines, `ParameterOBDPruner`): `prepare` collects im2col
///   K-FAC factors and the diagonal Fisher on EigenDamage's `FisherPass` and scores filters (`FilterDamageImportance`
///   sums a group's producers); `plan` = global threshold with a per-layer cap (`UnitSelector`); the OBS variants
///   override `apply` to update the kept filters before the surgery.
/// - **Greedy forward selection** (greedy.md): per layer, `prepare` grows the kept set from empty by evaluating
///   gated forwards (gates via `layerOutputHook`) and fine-tunes briefly; `plan` removes the rest of the layer;
///   `apply` folds the N/|S| scale into the reader; `isComplete` after the last layer.
/// - **BPCP** (bpcp.md, `BlockChannelPruner`): `trainingPhase` learns one logit per block with the straight-through
///   estimator (`BlockGateSearch`, a gate on each branch's last layer via `layerOutputHook`); step 1's plan lists the
///   gated-off blocks in `PruningPlan.removedBlocks` (the model takes the compact graph in place); `prepare` fine-tunes;
///   step 2 is channel pruning with `BatchNormScaleImportance(reduction: .max)` at a BN-channel budget.
/// - **DARB / BMWM** (darb.md, `RegularBlockPruner`): `plan` returns block-max masks (one kept weight per block of each
///   row, block size per row from its density, or one size); `finish` replaces the masks by `SparsityRecord.blocks`
///   on the pruned nodes (the layers then keep the masks through training) and records the regular-block storage.
///
/// ```swift
/// final class MyPruner: Pruner {
///     func plan(_ session: PruningSession) throws -> PruningPlan {
///         PruningPlan(removals: try session.selector().select(scores: session.scores(RandomImportance()),
///                                                             normalization: .none))
///     }
/// }
/// ```
public protocol Pruner: AnyObject {
    /// The change to make at this step (required).
    func plan(_ session: PruningSession) throws -> PruningPlan
    /// Before anything else: change the parameterisation (add layers or gates). Default: nothing.
    func reparameterize(_ session: PruningSession) throws
    /// Training to run before the first step (sparsity training, soft masking). Default: none.
    func trainingPhase(_ session: PruningSession) throws -> TrainingPhase?
    /// Before each `plan`: gather statistics, retrain between steps. Default: nothing.
    func prepare(_ session: PruningSession) throws
    /// Carries out a plan. Default: `session.apply(plan)` (surgery and masks).
    func apply(_ plan: PruningPlan, to session: PruningSession) throws
    /// Whether to stop after the step just applied. Default: after `config.iterativeSteps` steps.
    func isComplete(_ session: PruningSession) throws -> Bool
    /// After the last step: compaction, quantisation, storage accounting. Default: nothing.
    func finish(_ session: PruningSession) throws
    /// Hooks for fine-tuning after pruning. Default: the session's masks when there are any.
    func fineTuningHooks(_ session: PruningSession) throws -> [TrainingHook]
}

extension Pruner {
    /// Nothing to change.
    public func reparameterize(_ session: PruningSession) throws {}
    /// No training before pruning.
    public func trainingPhase(_ session: PruningSession) throws -> TrainingPhase? { nil }
    /// No statistics.
    public func prepare(_ session: PruningSession) throws {}
    /// Surgery and masks (`PruningSession.apply`).
    public func apply(_ plan: PruningPlan, to session: PruningSession) throws { try session.apply(plan) }
    /// After `config.iterativeSteps` steps.
    public func isComplete(_ session: PruningSession) throws -> Bool { session.step >= session.config.iterativeSteps }
    /// Nothing to finish.
    public func finish(_ session: PruningSession) throws {}
    /// The session's masks, if any.
    public func fineTuningHooks(_ session: PruningSession) throws -> [TrainingHook] { session.masks.isEmpty ? [] : [session.masks] }
}
