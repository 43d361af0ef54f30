import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Network slimming (Liu et al., "Learning Efficient Convolutional Networks through Network Slimming", ICCV
/// 2017; baselines.md section 5): sparsity training with L = CE + lambda sum |gamma| over every BatchNorm
/// (`BatchNormSparsityHook`, gamma.grad += lambda sign(gamma)), then a global threshold on |gamma|.
///
/// Selection. With a channel ratio r and global scope (the default): thr = sorted(|gamma|)[int(total r)] and the
/// channels with |gamma| <= thr go (the paper keeps |gamma| > thr strictly, so with distinct values int(total r)+1
/// are pruned). With a FLOPs or parameter target the threshold is searched. Coupled groups score by the
/// `reduction` (default mean) of their BatchNorms' |gamma|; groups without BatchNorm are not pruned.
///
/// lambda by family (`Settings.penalty(for:)`): 1e-4 for VGG (the paper's VGG value), 1e-5 for residual networks
/// (ResNet, WRN, pre-activation ResNet, and graphs with an `add` node: the paper's ResNet-164/DenseNet-40 value).
/// The paper trains with the penalty from scratch for 160 epochs; the default here starts from a trained model
/// for `training.epochs` = 10 (set `--slimming-epochs 160` and train a fresh model for the paper's protocol).
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// config.slimming.penalty = 1e-5; config.slimming.training.epochs = 20
/// try PruningPipeline.run(model: model, method: "slimming", config: config, data: data)
/// ```
public final class NetworkSlimmingPruner: Pruner {
    /// The sparsity-training phase.
    public struct Settings: Codable, Equatable {
        /// lambda; nil: by family (`penalty(for:)`: 1e-4 for VGG, 1e-5 for ResNet-164 and DenseNet-40 in the paper).
        public var penalty: Float?
        /// The sparsity training; epochs 0 skips it (a model already trained with the penalty). Default: 10 epochs
        /// from a trained model, lr 0.01 cosine, momentum 0.9, wd 1e-4 (the paper trains 160 epochs from scratch,
        /// lr 0.1 x0.1 at 50% and 75%, batch 64).
        public var training: TrainConfig = {
            var config = TrainConfig()
            (config.epochs, config.learningRate, config.schedule, config.weightDecay) = (10, 0.01, .cosine, 1e-4)
            return config
        }()

        /// The defaults above.
        public init() {}

        /// lambda for `spec`: `penalty` if set, else 1e-5 for a residual network (ResNet, WRN, ResNet-v2, a graph
        /// with an `add` node) and 1e-4 otherwise (VGG and plain chains).
        ///
        /// ```swift
        /// NetworkSlimmingPruner.Settings().penalty(for: .vgg(depth: 16))   // 1e-4
        /// ```
        public func penalty(for spec: ModelSpec) -> Float {
            if let penalty { return penalty }
            return Self.isResidual(spec) ? 1e-5 : 1e-4
        }

        /// Whether `spec` sums streams (the paper's 1e-5 families).
        static func isResidual(_ spec: ModelSpec) -> Bool {
            switch spec.family {
            case .resNet, .wideResNet, .resNetV2: return true
            case .graph: return spec.graph?.nodes.contains { $0.operation == .add } ?? false
            default: return false
            }
        }
    }

    /// The criterion (|gamma|, reduced over a group's BatchNorms).
    public let importance: BatchNormScaleImportance

    /// A pruner; the reduction is `config.reduction` or mean.
    public init(importance: BatchNormScaleImportance = BatchNormScaleImportance()) {
        self.importance = importance
    }

    /// Sparsity training when `settings.training.epochs` > 0.
    public func trainingPhase(_ session: PruningSession) throws -> TrainingPhase? {
        let settings = session.config.slimming
        guard settings.training.epochs > 0 else { return nil }
        return TrainingPhase(name: "slimming sparsity training", config: settings.training,
                             hooks: [BatchNormSparsityHook(penalty: settings.penalty(for: session.model.spec))])
    }

    /// Global |gamma| threshold (or a searched one for FLOPs and parameter targets).
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        var criterion = importance
        if let reduction = session.config.reduction { criterion.reduction = reduction }
        let selector = session.selector(defaultScope: .global), scores = try session.scores(criterion)
        let normalization = session.config.normalization ?? ScoreNormalization.none
        guard !scores.isEmpty else {
            throw PruneKitError.invalidArgument(operation: "network slimming",
                                                message: "\(session.model.spec.name) has no BatchNorm layers to rank")
        }
        guard case let .channelRatio(ratio) = session.config.target, selector.scope == .global else {
            return PruningPlan(removals: try selector.select(scores: scores, normalization: normalization))
        }
        let eligible = selector.graph.groups.filter { scores[$0.name] != nil && !session.config.isIgnored($0) }
        let sorted = eligible.flatMap { normalization.normalize(scores[$0.name]!) }.sorted()
        guard !sorted.isEmpty else { return PruningPlan() }
        let threshold = sorted[min(Int(Double(sorted.count) * ratio), sorted.count - 1)]
        let count = sorted.filter { $0 <= threshold }.count  // keep |gamma| > thr, strictly
        return PruningPlan(removals: try selector.selectLowest(count: count, scores: scores, normalization: normalization))
    }
}
