import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// IncReg, incremental regularization (Wang et al., "Structured Pruning for Efficient ConvNets via Incremental
/// Regularization", NIPS 2018 workshop / IJCNN 2019, arXiv:1804.09461; increg.md): on a trained model, a per-group
/// L2 factor lambda_g grows or shrinks every iteration by the rank-based increment (`IncrementalRegularizationHook`)
/// until `target` groups per layer reach the ceiling tau and are masked; then the masked groups are removed.
///
/// Decisions on the spec's open points ([proposal] / not found), also in `prune-cli methods --detail increg`:
/// - Unit: filters (row mode) by default, removed physically with their BatchNorm channels and the readers' input
///   channels; `unit = .columns` (the Caffe default, "shape-wise") regularises im2col columns of every conv, keeps
///   them as masks, and removes an input channel (and its producer filter) only when all k*k of its columns in
///   its reading conv are pruned.
/// - Which groups: every non-ignored `.layer` group (VGG/LeNet/MLP layers, block-internal ResNet channels); residual
///   streams are never regularised (row mode on ResNets touches block-internal channels only).
/// - Per-layer ratios R_l: from the target through `UnitSelector` (uniform by default, so `--flops`, `--params`,
///   `--ratio` and per-stage ratios all apply); the number is ceil-free because the selector already gives counts.
///   Column mode: R = the channel ratio, or 1 - fraction for a FLOPs/params target (conv cost scales with kept columns).
/// - Budget: the regularisation phase is capped at `training.epochs` (and stops early when every layer is done); a
///   layer not done by then loses its highest-lambda survivors so the target is met; ties (every lambda is still 0
///   with `training.epochs = 0`) go by lowest average rank, then by smallest L1 norm sum |w_g| (Li et al.'s rule),
///   never by index. `results` reports `increg_pruned_at_ceiling` and `increg_pruned_at_budget`.
/// - Retraining: the Caffe plateau schedule is replaced by the pipeline's fine-tuning (registry recipe: SGD momentum
///   0.9, lr 0.001, x0.1 at 50% and 75%).
/// - Defaults: A = 2.5e-4, u = 0.25, momentum 0.9, weight decay 2.5e-4, lr constant; tau and lr by `Configuration`,
///   chosen from the session's model (`Configuration.matching`): LeNet/MNIST (tau 0.05, effective 0.1226; lr 5e-4,
///   the official LeNet-5 config) for networks without BatchNorm on one-channel input, CIFAR (increg.md's proposal:
///   tau_cfg = 1e4 A = 2.5, effective 6.13; lr = 0.1 / 20 = 0.005) for everything else. `ceiling` and
///   `learningRate` override them.
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// config.incrementalRegularization.training.epochs = 2
/// try PruningPipeline.run(model: model, method: "increg", config: config, data: data)
/// ```
public final class IncrementalRegularizationPruner: Pruner {
    /// What a group is.
    public enum Unit: String, Codable, Sendable {
        /// Output filters (rows of the im2col weight matrix): physical pruning.
        case filters
        /// im2col columns (input channel, kh, kw) of conv weights: masks plus whole-channel removal.
        case columns
    }

    /// The published configuration whose tau and pruning learning rate are the defaults.
    public enum Configuration: String, Codable, Sendable, CaseIterable {
        /// The official LeNet-5/MNIST config: tau 0.05, lr 5e-4 ("original/20").
        case leNetMNIST = "lenet-mnist"
        /// increg.md's CIFAR proposal (no CIFAR config shipped): tau_cfg = 1e4 A = 2.5, lr = 0.1 / 20 = 0.005.
        case cifar

        /// tau as configured.
        public var ceiling: Double { self == .leNetMNIST ? 0.05 : 2.5 }
        /// The constant learning rate while regularising.
        public var learningRate: Float { self == .leNetMNIST ? 5e-4 : 0.005 }

        /// LeNet/MNIST for a network without BatchNorm on one-channel input (LeNet-5, the MLPs: what that config
        /// was tuned on), CIFAR otherwise (VGG, ResNet, WRN, or any colour input).
        ///
        /// ```swift
        /// Configuration.matching(.leNet5())     // .leNetMNIST
        /// Configuration.matching(.resNet(depth: 20))   // .cifar
        /// ```
        public static func matching(_ spec: ModelSpec) -> Configuration {
            !spec.usesBatchNorm && spec.inputShape.first == 1 ? .leNetMNIST : .cifar
        }
    }

    /// Hyperparameters.
    public struct Settings: Codable, Equatable {
        /// Filters or columns.
        public var unit: Unit = .filters
        /// A, the unit increment (official 2.5e-4, "recommended = weight decay").
        public var unitIncrement: Double = 2.5e-4
        /// The configuration tau and lr come from (nil: `Configuration.matching` the session's model).
        public var configuration: Configuration?
        /// tau as configured (nil: the configuration's; official LeNet-5 0.05, VGG16/ResNet-50 2.5).
        public var ceiling: Double?
        /// The constant learning rate while regularising (nil: the configuration's); replaces
        /// `training.learningRate`.
        public var learningRate: Float?
        /// Apply the official code's scaling min(tau M(0.2), 10) to `ceiling`.
        public var scalesCeilingAsCode = true
        /// u (0.25, hard-coded in the official code).
        public var shape: Double = 0.25
        /// The regularisation phase: constant lr (set from `learningRate` or the configuration), momentum 0.9,
        /// weight decay 2.5e-4 (official solvers); epochs is a cap (the phase ends when every layer is done).
        public var training: TrainConfig = {
            var config = TrainConfig()
            (config.epochs, config.learningRate, config.schedule, config.momentum, config.weightDecay) = (30, 5e-4, .constant, 0.9, 2.5e-4)
            return config
        }()

        /// The defaults above.
        public init() {}

        /// The configuration for `spec`: the set one, else the one matching the model.
        public func configuration(for spec: ModelSpec) -> Configuration { configuration ?? .matching(spec) }

        /// tau as configured for `spec`.
        public func ceiling(for spec: ModelSpec) -> Double { ceiling ?? configuration(for: spec).ceiling }

        /// tau as the hook uses it for `spec`.
        public func effectiveCeiling(for spec: ModelSpec) -> Double {
            let configured = ceiling(for: spec)
            return scalesCeilingAsCode ? IncrementalRegularizationHook.effectiveCeiling(configured: configured) : configured
        }

        /// `training` with the learning rate for `spec`.
        public func training(for spec: ModelSpec) -> TrainConfig {
            var config = training
            config.learningRate = learningRate ?? configuration(for: spec).learningRate
            return config
        }
    }

    /// A pruner.
    public init() {}

    /// The regularisation phase over the layers `config` selects.
    public func trainingPhase(_ session: PruningSession) throws -> TrainingPhase? {
        let settings = session.config.incrementalRegularization
        let layers = settings.unit == .filters ? try filterLayers(session) : try columnLayers(session)
        let spec = session.model.spec
        let hook = IncrementalRegularizationHook(layers: layers, unitIncrement: settings.unitIncrement,
                                                 ceiling: settings.effectiveCeiling(for: spec), shape: settings.shape)
        session.setRunState(hook)
        session.log("increg: \(settings.configuration(for: spec).rawValue) configuration, tau \(settings.ceiling(for: spec)), "
                    + "lr \(settings.training(for: spec).learningRate)")
        guard settings.training.epochs > 0, !layers.allSatisfy(\.isDone) else { return nil }
        return TrainingPhase(name: "IncReg regularization", config: settings.training(for: spec), hooks: [hook])
    }

    /// Row mode: the masked filters (topped up to the target); column mode: column masks and emptied channels.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        guard let hook = session.runState(of: IncrementalRegularizationHook.self) else { return PruningPlan() }
        if session.step == 1 { return try IncrementalRegularizationColumns.emptiedChannels(session) }
        let atCeiling = hook.layers.reduce(0) { $0 + $1.prunedOrder.count }
        let chosen = Dictionary(uniqueKeysWithValues: hook.layers.map { ($0.name, Self.finalUnits($0)) })
        let total = chosen.values.reduce(0) { $0 + $1.count }
        session.results.record(IncrementalRegularizationResult(prunedAtCeiling: atCeiling, prunedAtBudget: total - atCeiling,
                                                               iterations: hook.iterations))
        guard session.config.incrementalRegularization.unit == .columns else {
            return PruningPlan(removals: chosen.filter { !$0.value.isEmpty }.mapValues { $0.sorted() })
        }
        return try IncrementalRegularizationColumns.masks(session, layers: hook.layers, chosen: chosen)
    }

    /// Row mode: one step. Column mode: masks, then the input channels they emptied.
    public func isComplete(_ session: PruningSession) throws -> Bool {
        session.config.incrementalRegularization.unit == .filters || session.step >= 2
    }

    /// The masked units plus, if the layer is not done, its survivors up to `target` by highest lambda, then lowest
    /// average rank, then smallest L1 norm (so with no regularisation at all, all lambdas 0, the top-up is Li et
    /// al.'s L1 rule rather than the lowest indices).
    static func finalUnits(_ layer: IncrementalRegularizationHook.Layer) -> [Int] {
        let norms = layer.slices.memberTotals { abs($0) }.first ?? []
        let survivors = (0..<layer.unitCount).filter { !layer.isPruned[$0] }.sorted { a, b in
            if layer.penalties[a] != layer.penalties[b] { return layer.penalties[a] > layer.penalties[b] }
            if layer.averageRanks[a] != layer.averageRanks[b] { return layer.averageRanks[a] < layer.averageRanks[b] }
            return norms.isEmpty || norms[a] == norms[b] ? a < b : norms[a] < norms[b]
        }
        return layer.prunedOrder + survivors.prefix(max(layer.target - layer.prunedOrder.count, 0))
    }

    /// One layer per regularised group: the producing weight's rows, target counts from the selector.
    private func filterLayers(_ session: PruningSession) throws -> [IncrementalRegularizationHook.Layer] {
        let eligible = Set(session.graph.groups.filter { group in
            group.kind == .layer && group.members.filter { $0.role == .output }.count == 1
        }.map(\.name))
        let scores = try session.scores(MagnitudeImportance(norm: 1)).filter { eligible.contains($0.key) }
        let counts = try session.selector().select(scores: scores, normalization: .none)
        return try session.graph.groups.filter { eligible.contains($0.name) && !session.config.isIgnored($0) }.map { group in
            IncrementalRegularizationHook.Layer(name: group.name, slices: try UnitSlices(group: group, model: session.model),
                                                target: counts[group.name]?.count ?? 0)
        }
    }

    /// One layer per conv: its im2col columns, R from the target.
    private func columnLayers(_ session: PruningSession) throws -> [IncrementalRegularizationHook.Layer] {
        let ratio: Double
        switch session.config.target {
        case let .channelRatio(value): ratio = value
        case let .flopsRatio(fraction), let .parameterRatio(fraction): ratio = 1 - fraction
        case .unconstrained: throw PruningTarget.requiredError(by: "IncReg")
        }
        return session.model.layerNames.compactMap { name -> IncrementalRegularizationHook.Layer? in
            guard let conv = session.model.namedLayers[name] as? Conv2d, !session.config.isIgnored(layerName: name) else { return nil }
            let layout = UnitSlices.Layout.columns(of: conv.weight.shape), columns = layout.length
            let slices = UnitSlices(members: [.init(variable: conv.weight, layout: layout, channels: (0..<columns).map { [$0] })],
                                    unitCount: columns)
            let target = RemovalCountRule.removeCeiling.removalCount(units: columns, ratio: session.config.groupRatios[name] ?? ratio)
            return IncrementalRegularizationHook.Layer(name: name, slices: slices, target: target)
        }
    }
}
