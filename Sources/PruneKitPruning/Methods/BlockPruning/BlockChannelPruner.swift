import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// BPCP: block pruning, then channel pruning, for residual networks (Huang & Wang, "Multi-granularity pruning for
/// deep residual networks", JIFS 39(5) 2020; official code github.com/Pokemon-Huang/BPCP; spec bpcp.md).
///
///     training phase  block search (`BlockGateSearch`): gates g_i ~ B(sigmoid(alpha_i)) on every residual branch,
///                     L = CE + gamma sum |g|, straight-through alpha updates, weights trained alongside
///     step 1 (BP)     remove every block with sigmoid(alpha_i) < 0.5: the branch goes, the shortcut (identity,
///                     option-A pad or a stage's projection) stays (`PruningPlan.removedBlocks`); the model takes
///                     the compact architecture in place, kept blocks keep their names (indices not renumbered)
///     prepare step 2  fine-tune the compact network (code `finetune.py`: 10 epochs, lr 0.001 constant)
///     step 2 (CP)     channel pruning by BatchNorm |gamma|, residual streams coupled, group score = max over the
///                     stream's BNs: `--ratio R` is the paper's global budget int(total BN channels * R)
///                     (`ChannelBudgetSelection`); `--flops F` / `--params F` remove the globally lowest units until
///                     the model (BP included) is at F of the dense cost, nothing when BP already got there
///     fine-tuning     the pipeline's (code `finetune2.py`: lr 0.1, x0.1 at epochs 80 and 120)
///
/// The method's own stopping point is the search's decision plus the paper's CP budget (`--ratio 0.2`); `--ratio 0`
/// is block pruning alone. The block decision cannot be steered by a FLOPs target.
///
/// ```swift
/// var config = PruningConfig(); config.target = .channelRatio(0.2)
/// config.blockPruning.searchEpochs = 40
/// try PruningPipeline.run(model: model, method: "bpcp", config: config, data: data)
/// ```
public final class BlockChannelPruner: Pruner {
    /// The search and the fine-tuning between BP and CP.
    public struct Settings: Codable, Equatable {
        /// Search epochs from the trained model (not found in the code, which runs none as committed: [proposal] 40).
        public var searchEpochs = 40
        /// Weights' learning rate during the search, x0.1 at 75% of the epochs ([proposal] 0.01; momentum 0.9,
        /// weight decay 1e-4 as in the code).
        public var searchLearningRate: Float = 0.01
        /// gamma, the L1 gate penalty (0.05, `config.gamma`).
        public var gatePenalty: Float = 0.05
        /// The logits' SGD learning rate, constant (0.1 in the code).
        public var gateLearningRate: Float = 0.1
        /// The logits' SGD momentum (0.9 in the code; weight decay 0).
        public var gateMomentum: Float = 0.9
        /// Fine-tuning epochs after block removal (10, `finetune.py`; 0 skips it).
        public var blockFineTuningEpochs = 10
        /// Their learning rate, constant (0.001, `finetune.py`; momentum 0.9, weight decay 1e-4).
        public var blockFineTuningLearningRate: Float = 0.001

        /// The defaults above.
        public init() {}
    }

    /// The CP criterion: |gamma| reduced by max over a group's BatchNorms.
    public let importance = BatchNormScaleImportance(reduction: .max)

    /// A pruner; its settings come from `config.blockPruning`.
    public init() {}

    /// The block search, unless `searchEpochs` is 0 (then every alpha stays 0 and every block is kept).
    public func trainingPhase(_ session: PruningSession) throws -> TrainingPhase? {
        let settings = session.config.blockPruning
        try Self.validate(settings)
        let search = try BlockGateSearch(model: session.model, penalty: settings.gatePenalty, learningRate: settings.gateLearningRate,
                                         momentum: settings.gateMomentum, seed: session.config.seed)
        session.setRunState(search)
        guard settings.searchEpochs > 0 else { return nil }
        var phase = TrainingPhase(name: "bpcp block search", config: Self.recipe(epochs: settings.searchEpochs, rate: settings.searchLearningRate,
                                                                                   decayAt: [settings.searchEpochs * 3 / 4], seed: session.config.seed),
                                  hooks: [search])
        phase.layerOutputHook = search.gates.layerOutputHook
        return phase
    }

    /// Step 1: the blocks the search turned off. Step 2: channels by |gamma|.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        guard session.step == 0 else { return PruningPlan(removals: try channelRemovals(session)) }
        // No search ran (a pruner driven without `trainingPhase`): every alpha is 0, every block kept.
        let search = try session.runState { try BlockGateSearch(model: session.model, penalty: 0, learningRate: 0, momentum: 0, seed: 0) }
        for (block, logit) in zip(search.gates.blocks, search.logits.value.scalars) {
            let probability = BlockGateSearch.keepProbability(logit: logit)
            session.log("bpcp: \(block.join) keep-probability \(probability)" + (BlockGateSearch.keepsBlock(logit: logit) ? "" : " (removed)"))
        }
        session.results.record(BlockPruningResult(blocks: search.gates.blocks.count, removedBlocks: search.removedBlocks.count,
                                                  gateDraws: search.drawCount, keptGateDraws: search.keptDrawCount))
        return PruningPlan(removedBlocks: search.removedBlocks)
    }

    /// Before step 2: fine-tune the compact network.
    public func prepare(_ session: PruningSession) throws {
        let settings = session.config.blockPruning
        guard session.step == 1, settings.blockFineTuningEpochs > 0 else { return }
        try session.train(TrainingPhase(name: "bpcp block fine-tuning",
                                        config: Self.recipe(epochs: settings.blockFineTuningEpochs, rate: settings.blockFineTuningLearningRate,
                                                            decayAt: [], seed: session.config.seed)))
    }

    /// After the CP step.
    public func isComplete(_ session: PruningSession) throws -> Bool { session.step >= 2 }

    /// CP removals for the config's target (see the type's notes).
    func channelRemovals(_ session: PruningSession) throws -> [String: [Int]] {
        let scores = try session.scores(importance).filter { name, _ in !(session.graph.groups.first { $0.name == name }.map(session.config.isIgnored) ?? true) }
        switch session.config.target {
        case let .channelRatio(percent):
            return ChannelBudgetSelection.select(groups: session.graph.groups, scores: scores, percent: percent)
        case .unconstrained:  // no target: block pruning alone, as --ratio 0
            return [:]
        case .flopsRatio, .parameterRatio:
            if try session.hasReached(session.config.target) { return [:] }
            let selector = UnitSelector(graph: session.graph, config: session.config, referenceCost: session.denseCost, defaultScope: .global)
            return try selector.select(scores: scores, normalization: .none)
        }
    }

    /// SGD, momentum 0.9, weight decay 1e-4 (the code's), constant or x0.1 at `decayAt`.
    static func recipe(epochs: Int, rate: Float, decayAt milestones: [Int], seed: UInt64) -> TrainConfig {
        var config = TrainConfig()
        (config.epochs, config.learningRate, config.momentum, config.weightDecay, config.seed) = (epochs, rate, 0.9, 1e-4, seed)
        config.schedule = milestones.isEmpty ? .constant : .multiStep(milestones: milestones, gamma: 0.1)
        return config
    }

    /// Throws `invalidParameter` naming the first setting out of range.
    static func validate(_ settings: Settings) throws {
        guard settings.searchEpochs >= 0 else { throw PruneKitError.invalidParameter(name: "searchEpochs", expected: "an integer >= 0", found: "\(settings.searchEpochs)") }
        guard settings.searchLearningRate >= 0 else { throw PruneKitError.invalidParameter(name: "searchLearningRate", expected: "a number >= 0", found: "\(settings.searchLearningRate)") }
        guard settings.blockFineTuningEpochs >= 0 else {
            throw PruneKitError.invalidParameter(name: "blockFineTuningEpochs", expected: "an integer >= 0", found: "\(settings.blockFineTuningEpochs)")
        }
        guard settings.blockFineTuningLearningRate >= 0 else {
            throw PruneKitError.invalidParameter(name: "blockFineTuningLearningRate", expected: "a number >= 0", found: "\(settings.blockFineTuningLearningRate)")
        }
    }
}
