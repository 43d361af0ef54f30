import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// One-shot select-and-remove by a channel criterion: score every group, let `UnitSelector` apply the target,
/// remove the chosen units physically; with `iterativeSteps` > 1, reach the target in equal steps, re-scoring the
/// pruned model each time (Torch-Pruning's iterative pruning without fine-tuning in between).
///
/// Registered as `l1` (Li et al., "Pruning Filters for Efficient ConvNets", ICLR 2017: s_j = sum |F_j|, keep
/// int(N (1 - r)) per layer), `l2` (filter L2 norm, as SFP's criterion) and `random`. For Li et al.'s exact
/// CIFAR settings see `PruningConfig.liEtAl(resNetDepth:variant:)`. Global scope ranks scores normalised by their
/// group mean unless `config.normalization` says otherwise.
///
/// ```swift
/// var config = PruningConfig(); config.target = .channelRatio(0.3)
/// let pruner = CriterionPruner(importance: MagnitudeImportance(norm: 1))
/// let report = try PruningPipeline.run(model: model, pruner: pruner, config: config, data: data)
/// ```
public final class CriterionPruner: Pruner {
    /// The criterion.
    public let importance: Importance
    /// Normalisation for global ranking when the config does not set one.
    public let defaultNormalization: ScoreNormalization

    /// A pruner ranking by `importance`.
    public init(importance: Importance, defaultNormalization: ScoreNormalization = .mean) {
        self.importance = importance
        self.defaultNormalization = defaultNormalization
    }

    /// Data-driven criteria gather their statistics on the calibration batches.
    public func prepare(_ session: PruningSession) throws {
        try importance.prepare(model: session.model, data: session.data.training)
    }

    /// The units for this step's share of the target.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        let progress = Double(session.step + 1) / Double(session.config.iterativeSteps)
        let removals = try session.selector().select(scores: session.scores(importance),
                                                     normalization: session.config.normalization ?? defaultNormalization,
                                                     target: session.config.target.scaled(by: progress))
        return PruningPlan(removals: removals)
    }
}
