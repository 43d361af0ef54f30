import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Soft filter pruning (He, Kang, Dong, Fu, Yang, "Soft Filter Pruning for Accelerating Deep Convolutional Neural
/// Networks", IJCAI 2018; ../shared/methods/sfp.md). Train for E epochs; before the first and after every T_p-th
/// epoch (and the last) zero, in every pruned layer, the floor(N P) filters with the smallest L2 norm
/// ||F_j||_2 = (sum_{c,k1,k2} F_j(c,k1,k2)^2)^(1/2), letting them train on (`SoftFilterMaskHook`); at the end
/// remove the zero filters physically ("hard" prune) with their BatchNorm entries and the readers' input channels.
///
/// Targets. `--ratio P` is the paper's rate: every eligible group loses floor(N P) units (float guard: 16 * 0.3 ->
/// 4). `--flops F` / `--params F` have no counterpart in the paper: `UnitSelector` searches the uniform ratio whose
/// removal, ranked by the current L2 norms, meets the budget, and those per-group counts stay fixed for every epoch
/// (only *which* filters are zeroed changes). `--group-ratio` overrides P per group; `--ignore` excludes groups.
///
/// Decisions on the spec's open points (also in `prune-cli methods --detail sfp`):
/// - CIFAR ResNet residual streams (`Settings.residual`, `--sfp-residual`): `.stream` (default, PruneKit's coupled
///   form) ranks a stream (stem + every conv2 of a stage) as one group by the L2 norm over all its producers and
///   zeroes, then removes, the same channels everywhere; `.perConvolution` is the paper's form: the stem and each
///   block's conv2 are ranked and soft-zeroed alone (floor(N P) each, `--ratio` only), and the hard prune narrows
///   each to its kept filters with a channel scatter after its batch norm that keeps the stream full width, the
///   removed channels filled with their eval-mode BN constant (`StructuralSurgery.insertScatters`), so the compact
///   model computes what the masked model computes. 1x1 projection shortcuts stay dense (the paper's
///   `skip_downsample`). `--ignore layer1,layer2,layer3` restricts SFP to block-internal channels.
/// - [proposal] VGG/MLP: every conv and hidden linear layer with the same P (row L2 norm for linear layers); the
///   classifier is never pruned (its outputs are not a group).
/// - Hard prune: removes the last mask's filters. Their eval-mode BatchNorm constant beta - gamma mu / sqrt(var+eps)
///   is dropped with them (exact only where ReLU kills it); the fine-tuning recipe absorbs the difference.
/// - Training starts from the loaded checkpoint (the paper's "pretrained" setting); "from scratch" is a prune of an
///   untrained checkpoint. LR: base 0.001 x10 at epoch 1, x0.2 at 60, 120, 160; SGD Nesterov 0.9, wd 5e-4.
///
/// ```swift
/// var config = PruningConfig(); config.target = .channelRatio(0.3); config.softFilter.epochs = 10
/// try PruningPipeline.run(model: model, method: "sfp", config: config, data: data)
/// ```
public final class SoftFilterPruner: Pruner {
    /// SFP's training, recorded in checkpoints through `PruningConfig.softFilter`.
    public struct Settings: Codable, Equatable {
        /// E: soft-pruning epochs (paper: 200 on CIFAR, 100 on ImageNet); 0 masks once and prunes.
        public var epochs = 200
        /// T_p: epochs between masks (paper: 1).
        public var interval = 1
        /// Base learning rate (0.001 from a pretrained model, the rethinking-repo setting; 0.01 from scratch).
        public var learningRate: Float = 0.001
        /// SGD weight decay (5e-4 on CIFAR).
        public var weightDecay: Float = 5e-4
        /// How convolutions writing a residual stream are ranked and removed (`ResidualMode`); default `.stream`.
        public var residual: ResidualMode = .stream

        /// The paper's CIFAR defaults.
        public init() {}

        private enum CodingKeys: String, CodingKey { case epochs, interval, learningRate, weightDecay, residual }

        /// Decodes settings; `residual`, added later, defaults to `.stream` when absent (older checkpoints).
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            epochs = try container.decode(Int.self, forKey: .epochs)
            interval = try container.decode(Int.self, forKey: .interval)
            learningRate = try container.decode(Float.self, forKey: .learningRate)
            weightDecay = try container.decode(Float.self, forKey: .weightDecay)
            residual = try container.decodeIfPresent(ResidualMode.self, forKey: .residual) ?? .stream
        }

        /// base x {1 at epoch 0, 10 at 1, 2 at 60, 0.4 at 120, 0.08 at 160} (sfp.md "LR (scratch)").
        public var schedule: LearningRateSchedule {
            .table([0: learningRate, 1: learningRate * 10, 60: learningRate * 2, 120: learningRate * 0.4, 160: learningRate * 0.08])
        }
    }

    /// A pruner; settings come from `PruningConfig.softFilter`.
    public init() {}

    /// floor(N P) with a guard against float error just below an integer.
    public static func removalCount(units: Int, rate: Double) -> Int { RemovalCountRule.removeFloor.removalCount(units: units, ratio: rate) }

    /// The soft-pruning epochs with the mask hook; nil when `epochs` is 0.
    public func trainingPhase(_ session: PruningSession) throws -> TrainingPhase? {
        let settings = session.config.softFilter
        let hook = try makeHook(session)
        guard settings.epochs > 0 else { return nil }
        var recipe = TrainConfig()
        (recipe.epochs, recipe.learningRate, recipe.schedule) = (settings.epochs, settings.learningRate, settings.schedule)
        (recipe.momentum, recipe.nesterov, recipe.weightDecay) = (0.9, true, settings.weightDecay)
        session.results.record(SoftFilterResult(epochs: settings.epochs))
        return TrainingPhase(name: "soft filter pruning", config: recipe, hooks: [hook])
    }

    /// Removes the filters the last mask zeroed (masking once first when no training ran).
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        let hook = try session.runState(of: SoftFilterMaskHook.self) ?? makeHook(session)
        if hook.maskCount == 0 { hook.mask() }
        session.results.record(SoftFilterResult(masks: hook.maskCount))
        let masked = hook.maskedUnits.filter { !$0.value.isEmpty }
        guard session.config.softFilter.residual == .perConvolution else { return PruningPlan(removals: masked) }
        let units = try PerConvolutionUnits(session)
        var plan = PruningPlan(removals: masked.filter { units.groups[$0.key] == nil })
        for (name, removed) in masked {
            guard let site = units.batchNorms[name], let group = units.groups[name] else { continue }
            let gone = Set(removed)
            plan.scatters[site] = (0..<group.unitCount).filter { !gone.contains($0) }
        }
        return plan
    }

    private func makeHook(_ session: PruningSession) throws -> SoftFilterMaskHook {
        var groups = session.graph.groups, counts: [String: Int]
        if session.config.softFilter.residual == .perConvolution {
            let units = try PerConvolutionUnits(session)
            groups = groups.filter { $0.kind == .layer } + units.groups.values.sorted { $0.name < $1.name }
            counts = try units.removalCounts(layerGroups: groups.filter { $0.kind == .layer }, session: session)
        } else {
            let scores = try session.scores(MagnitudeImportance(norm: 2, reduction: session.config.reduction ?? .sum))
            counts = try session.selector(countRule: .removeFloor)
                .removalCounts(scores: scores, normalization: session.config.normalization ?? .mean)
        }
        let hook = try SoftFilterMaskHook(model: session.model, groups: groups, counts: counts,
                                          interval: session.config.softFilter.interval, epochs: session.config.softFilter.epochs)
        session.setRunState(hook)  // the session's run state: `plan` reads it, later runs never see it
        return hook
    }
}
