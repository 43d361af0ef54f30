import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// SPP, structured probabilistic pruning (Wang, Zhang, Wang, Hu, "Structured Probabilistic Pruning for Convolutional
/// Neural Network Acceleration", BMVC 2018, arXiv:1709.06994; the authors' Caffe `PP_Col`; spp.md). On a trained
/// model every conv except the first gets a pruning probability p_j per im2col column (column j = c K K + tap). A
/// pruning phase of SGD (`ProbabilisticColumnHook`) raises p by the rank-based increment Delta(r)
/// (`ProbabilityIncrement`), trains through a Monte Carlo column mask redrawn every iteration, and makes a column
/// permanent (P, weights 0) once p reaches 1, until every layer has ceil(R N_g) columns in P. Then input channels
/// whose every column is in P leave physically with their producer filters (plain links only), and every pruned conv
/// gets a `SparsityRecord.columns(kept:)` (`ProbabilisticColumnCompaction`).
///
/// Decisions on the spec's open points ([proposal] / not found), also in `prune-cli methods --detail spp`:
/// - Layers: every conv except the first (27 columns on RGB); the classifier and other linear layers are not pruned.
/// - Targets: `--ratio R` is the per-layer column ratio; `--flops F` gives one R for all pruned convs
///   (`ColumnPruningTarget`: R = (1 - F) T / P_f, FLOPs of the whole model); `--params` is rejected.
/// - Mask: forward and backward both use W * m; the loss gradient of W is multiplied by m, the optimizer then adds
///   weight decay and momentum to the restored weights (Caffe's order); P is re-zeroed after every step.
/// - Defaults (code): A = 0.05, u = 0.25, T = 1, d = 0, exponential Delta, no rescale at finish (2018 code).
///   Pruning phase (not found; spp.md's CIFAR proposal): constant lr 0.001, SGD momentum 0.9, weight decay 5e-4,
///   at most 30 epochs (`--spp-epochs`) and optionally `--spp-iterations`, stopping as soon as every layer is finished.
/// - Budget: a layer not finished when the phase ends gets its highest-p columns (then lowest column L1 norm) added
///   to P (`spp_pruned_at_budget`); with `--spp-epochs 0` that is column L1-norm pruning.
/// - Channel removal happens once, at the end of the pruning phase (the code zeroed such "zombie" filters during it).
///   The first conv may lose filters this way (lossless); its columns are never pruned.
/// - Masks are drawn from `SplitMix64(seed: config.seed)`, in layer then column order, one draw per unpruned column.
/// - Retraining: the pipeline's fine-tuning (registry recipe: lr 0.001, momentum 0.9, wd 5e-4; spp.md's x0.1 at 50%
///   is `--finetune-schedule multi-step:E/2`, since the recipe cannot know E).
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// config.structuredProbabilisticPruning.training.epochs = 2
/// try PruningPipeline.run(model: model, method: "spp", config: config, data: data)
/// ```
public final class StructuredProbabilisticPruner: Pruner {
    /// SPP's increment, schedule and pruning phase, recorded in checkpoints (`PruningConfig.structuredProbabilisticPruning`).
    public struct Settings: Codable, Equatable {
        /// A, the largest probability increment per update (code default 0.05, `AA`).
        public var increment = 0.05
        /// u = Delta(N_c) / A (0.25, hard-coded in the 2018 code, `kk`).
        public var symmetry = 0.25
        /// T, iterations between probability updates (code: 1, `prune_interval`).
        public var interval = 1
        /// d, score history decay h <- d h + s (final code 0: plain column L1 norm; 0.9 in a 2018 interim version).
        public var scoreDecay = 0.0
        /// The linear increment A - (A / G) r (`PP-linear_Col`) instead of the exponential one.
        public var isLinear = false
        /// Multiply surviving columns by 1 - p_j when a layer finishes (2017 code `CleanWorkForPP`; 2018: off).
        public var rescalesAtFinish = false
        /// Stop the pruning phase after this many iterations (nil: when every layer is finished or the epochs end).
        public var iterationLimit: Int?
        /// The pruning phase: at most `epochs`, constant lr 0.001, SGD momentum 0.9, weight decay 5e-4 (spp.md proposal).
        public var training: TrainConfig = {
            var config = TrainConfig()
            (config.epochs, config.learningRate, config.schedule, config.momentum, config.weightDecay) = (30, 0.001, .constant, 0.9, 5e-4)
            return config
        }()

        /// The code's defaults and spp.md's CIFAR proposal.
        public init() {}

        /// Delta(r) with these settings.
        public var probabilityIncrement: ProbabilityIncrement {
            ProbabilityIncrement(maximum: increment, symmetry: symmetry, isLinear: isLinear)
        }
    }

    /// A pruner; settings come from `PruningConfig.structuredProbabilisticPruning`.
    public init() {}

    /// The pruning phase with the probability hook; nil when `training.epochs` is 0 or nothing is to prune.
    public func trainingPhase(_ session: PruningSession) throws -> TrainingPhase? {
        let settings = session.config.structuredProbabilisticPruning
        let hook = try makeHook(session)
        guard settings.training.epochs > 0, !hook.isFinished else { return nil }
        return TrainingPhase(name: "SPP pruning phase", config: settings.training, hooks: [hook])
    }

    /// Step 1: P (topped up to the target) as masks; step 2: the channels P emptied.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        let hook = try session.runState(of: ProbabilisticColumnHook.self) ?? makeHook(session)
        guard session.step == 0 else { return ProbabilisticColumnCompaction.emptiedChannels(session) }
        let byProbability = hook.layers.reduce(0) { $0 + $1.permanentOrder.count }
        let atBudget = try hook.completeLayers(in: session.model)
        let (pruned, total) = hook.layers.reduce((0, 0)) { ($0.0 + $1.permanentOrder.count, $0.1 + $1.columnCount) }
        session.results.record(StructuredProbabilisticPruningResult(iterations: hook.iterations, prunedByProbability: byProbability,
                                                                    prunedAtBudget: atBudget, columnSparsity: total == 0 ? 0 : Double(pruned) / Double(total)))
        return try ProbabilisticColumnCompaction.masks(session, hook: hook)
    }

    /// After the masks and the channel removal.
    public func isComplete(_ session: PruningSession) throws -> Bool { session.step >= 2 }

    /// Column records on every pruned conv (the masks leave the session).
    public func finish(_ session: PruningSession) throws { try session.recordColumnMasks() }

    /// Removes channels via `session.apply`, recording how many.
    public func apply(_ plan: PruningPlan, to session: PruningSession) throws {
        if session.step == 1 { session.results.record(StructuredProbabilisticPruningResult(channelsRemoved: plan.removedUnitCount)) }
        try session.apply(plan)
    }

    /// One layer per pruned conv with target ceil(R N_g), R from the target; the hook becomes the session's run state.
    private func makeHook(_ session: PruningSession) throws -> ProbabilisticColumnHook {
        let settings = session.config.structuredProbabilisticPruning
        let names = try ColumnPruningTarget.prunedConvolutions(of: session.model, config: session.config)
        let ratio = try ColumnPruningTarget.ratio(for: session.config.target, cost: session.denseCost, pruned: names)
        let layers = names.map { name -> ProbabilisticColumnLayer in
            let weight = (session.model.namedLayers[name] as! Conv2d).weight
            let columns = weight.shape.dropFirst().reduce(1, *)
            let target = RemovalCountRule.removeCeiling.removalCount(units: columns, ratio: session.config.groupRatios[name] ?? ratio)
            return ProbabilisticColumnLayer(name: name, outputChannels: weight.shape[0], columnCount: columns, target: target)
        }
        let hook = ProbabilisticColumnHook(layers: layers, increment: settings.probabilityIncrement, interval: settings.interval,
                                           scoreDecay: settings.scoreDecay, rescalesAtFinish: settings.rescalesAtFinish,
                                           iterationLimit: settings.iterationLimit, seed: session.config.seed)
        session.results.record(StructuredProbabilisticPruningResult(ratio: ratio))
        session.log("spp: column ratio \(String(format: "%.4f", ratio)) on \(layers.count) convs")
        session.setRunState(hook)
        return hook
    }
}
