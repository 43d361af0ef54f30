import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// sDprun, structured directional pruning (Li et al., "Structured Directional Pruning via Perturbation Orthogonal
/// Projection", arXiv:2107.05328; sdprun.md): train with the group gRDA solver (`GroupRegularizedDualAveraging`),
/// whose soft threshold g_n = c sqrt(lr) (n lr)^mu sets whole filters exactly to zero, then remove the zero groups
/// physically.
///
/// Groups: one per output channel of every `.layer` group of the `DependencyGraph` (conv filter or hidden linear
/// neuron, with its bias). Decisions on the spec's open points ([proposal] / not found), also in
/// `prune-cli methods --detail sdprun`:
/// - s_G = 1 (a singleton group is elementwise gRDA); `squareRootOfSize` is an option.
/// - BatchNorm: option (a), the group is the filter (+bias) only, default: the constant a zero filter still emits
///   after BN + ReLU is folded into the readers (`foldConstants`: bias, or the reader's BN running mean; exact for
///   linear readers, exact except at padded borders for convs, not folded on pre-activation WRN); `groupsBatchNorm`
///   gives option (b), {W_o, b_o, gamma_o, beta_o} jointly, for which removal is exact. Accuracy before removal is
///   in `DirectionalPruningResult.accuracyBeforeRemoval`.
/// - Residual streams, shortcut convs and the classifier are not grouped (plain SGD, threshold 0): only
///   block-internal channels are thresholded, as the spec's default.
/// - From scratch: the model is re-initialised (same architecture, `training.seed`) before gRDA, as the paper;
///   `fromScratch = false` starts gRDA from the given weights.
/// - Targets: sparsity comes from (c, mu, lr, steps), so the paper's form runs without a target
///   (`PruningTarget.unconstrained`, the CLI's default for sdprun): the zero groups go and the report says what gRDA
///   reached. With `--flops/--params/--ratio` not met after the zero groups and `meetsTarget` set (default), the
///   missing units are removed from the thresholded groups by smallest filter L2 norm through `UnitSelector` (a
///   top-up, no longer sDprun); `results` separates the two (`sdprun_groups_removed_by_grda`,
///   `sdprun_groups_removed_by_top_up`, `sdprun_flops_ratio_after_grda`).
/// - Never empty a layer: when every group of a layer is zero, the one with the largest ||v_G|| is kept.
/// - c default 1e-2: group c is not found; the spec proposes sweeping {1e-3, 3e-3, 1e-2, 3e-2} (10-100x the
///   elementwise 5e-4 to 1e-3, because g must reach filter norms); lr 0.1 constant, no momentum or weight decay,
///   mu 0.51 (Dprun scripts).
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// config.directionalPruning.scale = 3e-2; config.directionalPruning.training.epochs = 20
/// try PruningPipeline.run(model: model, method: "sdprun", config: config, data: data)
/// ```
public final class StructuredDirectionalPruner: Pruner {
    /// The gRDA run and the removal rule.
    public struct Settings: Codable, Equatable {
        /// c (group value not found; spec proposal sweep 1e-3...3e-2).
        public var scale: Double = 1e-2
        /// mu, 0.5 < mu < 1 (Dprun/gRDA default 0.51).
        public var exponent: Double = 0.51
        /// s_G.
        public var weighting: GroupRegularizedDualAveraging.GroupWeighting = .unit
        /// Option (b): BatchNorm gamma and beta join their filter's group.
        public var groupsBatchNorm = false
        /// Re-initialise before training (the paper trains from scratch).
        public var fromScratch = true
        /// Remove more groups by smallest L2 norm when the zero groups miss the target (no effect without one).
        public var meetsTarget = true
        /// The gRDA training: lr 0.1 constant, momentum 0, weight decay 0 (Dprun scripts); epochs 200 as the spec's
        /// proposal (the batch size comes from the data).
        public var training: TrainConfig = {
            var config = TrainConfig()
            (config.epochs, config.learningRate, config.schedule, config.momentum, config.weightDecay) = (200, 0.1, .constant, 0, 0)
            return config
        }()

        /// The defaults above.
        public init() {}
    }

    /// A pruner.
    public init() {}

    /// The thresholded units of `session`: per non-ignored `.layer` group with a single output member (one
    /// channel per unit), the view over its filter and bias (and BatchNorm gamma, beta with `groupsBatchNorm`),
    /// output parameters first.
    public static func unitSlices(in session: PruningSession) throws -> [String: UnitSlices] {
        var result: [String: UnitSlices] = [:]
        let roles: Set<ChannelGroup.Member.Role> = session.config.directionalPruning.groupsBatchNorm ? [.output, .batchNorm] : [.output]
        for group in session.graph.groups where group.kind == .layer && !session.config.isIgnored(group) {
            let outputs = group.members.filter { $0.role == .output }
            guard outputs.count == 1, outputs[0].channels.enumerated().allSatisfy({ $0.element == [$0.offset] }) else { continue }
            var members = group.members.filter { roles.contains($0.role) }
            members.sort { $0.role == .output && $1.role != .output }
            let ordered = ChannelGroup(name: group.name, kind: group.kind, members: members, minimumUnits: group.minimumUnits,
                                       widthEffects: group.widthEffects)
            result[group.name] = try UnitSlices(group: ordered, model: session.model, roles: roles, weightsOnly: false)
        }
        return result
    }

    /// Parameter families thresholded in `session`: the parameters of each of `unitSlices(in:)`.
    public static func families(in session: PruningSession) throws -> [String: GroupRegularizedDualAveraging.GroupFamily] {
        try unitSlices(in: session).mapValues { .init(parameterNames: $0.members.map(\.variable.name)) }
    }

    /// gRDA training (from a re-initialised model unless `fromScratch` is off).
    public func trainingPhase(_ session: PruningSession) throws -> TrainingPhase? {
        let settings = session.config.directionalPruning
        // Without training a re-initialised model would just be random: re-initialise only when gRDA runs.
        if settings.fromScratch && settings.training.epochs > 0 { try Self.reinitialize(session.model, seed: settings.training.seed) }
        let families = try Self.families(in: session)
        let solver = try GroupRegularizedDualAveraging(learningRate: settings.training.learningRate, scale: settings.scale,
                                                       exponent: settings.exponent, weighting: settings.weighting,
                                                       families: families.keys.sorted().map { families[$0]! })
        guard settings.training.epochs > 0 else { return nil }
        return TrainingPhase(name: "sDprun gRDA training", config: settings.training, optimizer: solver)
    }

    /// Step 1: the zero groups. Step 2 (only when the target is missed and `meetsTarget`): smallest L2 norms.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        let families = try Self.families(in: session)
        if session.step == 0 { return try zeroGroupPlan(session) }
        let scores = try session.scores(MagnitudeImportance(norm: 2)).filter { families[$0.key] != nil }
        let removals = try session.selector().select(scores: scores, normalization: session.config.normalization ?? .none)
        session.results.record(DirectionalPruningResult(groupsRemovedByTopUp: removals.values.reduce(0) { $0 + $1.count }))
        return PruningPlan(removals: removals)
    }

    /// Done after the zero groups when the target holds (always without one) or `meetsTarget` is off; else after
    /// the top-up.
    public func isComplete(_ session: PruningSession) throws -> Bool {
        if session.step == 1 {
            let cost = try session.currentCost()
            session.results.record(DirectionalPruningResult(
                flopsRatioAfterDualAveraging: Double(cost.flops) / Double(session.denseCost.flops),
                parameterRatioAfterDualAveraging: Double(cost.parameterCount) / Double(session.denseCost.parameterCount)))
            if session.config.directionalPruning.meetsTarget, !(try session.hasReached(session.config.target)) { return false }
            session.results.record(DirectionalPruningResult(groupsRemovedByTopUp: 0))
        }
        return true
    }

    /// Units whose family is exactly zero; a layer keeps its unit of largest ||v_G|| if all are zero.
    private func zeroGroupPlan(_ session: PruningSession) throws -> PruningPlan {
        if let evaluation = session.data.evaluation {
            let accuracy = try Evaluator.evaluate(session.model, on: evaluation, classCount: session.model.spec.classCount).accuracy
            session.results.record(DirectionalPruningResult(accuracyBeforeRemoval: Double(accuracy)))
        }
        let solver = session.optimizer as? GroupRegularizedDualAveraging
        var removals: [String: [Int]] = [:]
        for (name, slices) in try Self.unitSlices(in: session) {
            var zero = (0..<slices.unitCount).filter { slices.isZero(unit: $0) }
            if zero.count == slices.unitCount { zero.remove(at: Self.largestAccumulator(slices, solver)) }
            if !zero.isEmpty { removals[name] = zero }
        }
        if !session.config.directionalPruning.groupsBatchNorm { try Self.foldConstants(of: removals, in: session) }
        session.results.record(DirectionalPruningResult(groupsRemovedByDualAveraging: removals.values.reduce(0) { $0 + $1.count },
                                                        threshold: solver?.threshold ?? 0, steps: solver?.stepCount ?? 0))
        return PruningPlan(removals: removals)
    }

    /// Unit with the largest accumulator norm ||v_G||^2, summed member by member (0 without solver state).
    private static func largestAccumulator(_ slices: UnitSlices, _ solver: GroupRegularizedDualAveraging?) -> Int {
        let perMember = slices.memberTotals(.tensors(solver?.accumulators ?? [:])) { $0 * $0 }
        guard !perMember.isEmpty else { return 0 }
        let norms = (0..<slices.unitCount).map { unit in perMember.reduce(Float(0)) { $0 + $1[unit] } }
        return norms.indices.max { norms[$0] < norms[$1] } ?? 0
    }

    /// Fresh initial weights for `model` (same widths), BatchNorm statistics reset.
    static func reinitialize(_ model: Model, seed: UInt64) throws {
        let fresh = try Model(spec: model.currentSpec(), seed: seed)
        for (target, source) in zip(model.parameters, fresh.parameters) where target.name == source.name { target.value = source.value }
        for name in model.layerNames {
            guard let target = model.namedLayers[name] as? BatchNorm, let source = fresh.namedLayers[name] as? BatchNorm else { continue }
            target.statistics.runningMean = source.statistics.runningMean
            target.statistics.runningVariance = source.statistics.runningVariance
        }
    }
}
