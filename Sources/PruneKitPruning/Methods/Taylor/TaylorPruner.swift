import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Iterative first-order Taylor pruning (Molchanov et al., "Pruning Convolutional Neural Networks for Resource
/// Efficient Inference", ICLR 2017; baselines.md section 3). Each step runs `updatesPerStep` SGD updates on the
/// training data while `TaylorImportance` accumulates Theta for every feature map, L2-normalises Theta per group,
/// and removes the globally lowest units, until the target is met. The optimizer persists across steps and surgery
/// slices its momentum.
///
/// How many per step: the paper removes one feature map per N = 10 updates (`unitsPerStep = 1`, `--taylor-schedule
/// paper`); the default removes `fractionPerStep` = 1% of the remaining prunable units (at least one), a speed-up
/// that needs about 100x fewer steps on CIFAR ResNets (`--taylor-schedule fraction`). Both re-score after every
/// removal, so they differ only in how many units go on one set of statistics.
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// config.taylor.updatesPerStep = 10
/// try PruningPipeline.run(model: model, method: "taylor", config: config, data: data)
/// ```
public final class TaylorPruner: Pruner {
    /// Settings of the iterative loop ([proposal] CIFAR values of baselines.md).
    public struct Settings: Codable, Equatable {
        /// SGD updates between removals (N = 10 in the paper).
        public var updatesPerStep = 10
        /// Fraction of the remaining prunable units removed per step (at least one unit); used when
        /// `unitsPerStep` is nil (the default speed-up).
        public var fractionPerStep = 0.01
        /// A fixed number of units removed per step instead of a fraction: 1 is the paper's schedule (one feature
        /// map per `updatesPerStep` updates). Nil (default): `fractionPerStep`.
        public var unitsPerStep: Int?
        /// Learning rate of the updates between removals.
        public var learningRate: Float = 0.001
        /// Momentum of those updates.
        public var momentum: Float = 0.9
        /// Weight decay of those updates.
        public var weightDecay: Float = 1e-4
        /// Upper bound on steps (a guard against targets met only by tiny steps).
        public var maximumSteps = 100_000

        /// The defaults above.
        public init() {}
    }

    /// The criterion's settings (reduction, batch limit); each run accumulates in a fresh copy (`RunState`).
    public let importance: TaylorImportance

    /// One run's criterion statistics, batch position and progress, kept in the session.
    final class RunState {
        /// This run's accumulating criterion.
        let importance: TaylorImportance
        /// The next training batch.
        let batches: BatchCursor
        /// Whether the last step removed everything the target still needed.
        var reached = false

        init(importance: TaylorImportance, batches: BatchCursor) { (self.importance, self.batches) = (importance, batches) }
    }

    /// A pruner using `importance` (its reduction combines the members of coupled groups).
    public init(importance: TaylorImportance = TaylorImportance()) {
        self.importance = importance
    }

    /// `updatesPerStep` SGD updates with the activations observed.
    public func prepare(_ session: PruningSession) throws {
        let settings = session.config.taylor
        if session.optimizer == nil {
            session.optimizer = try SGD(learningRate: settings.learningRate, momentum: settings.momentum,
                                        weightDecay: settings.weightDecay)
        }
        let state = try runState(session), importance = state.importance, cursor = state.batches
        importance.reset()
        let context = ForwardContext(training: true, generator: SplitMix64(seed: session.config.seed &+ UInt64(session.step)))
        try importance.observe(session.model, on: context)
        try cursor.run(updates: settings.updatesPerStep) { images, labels in
            let model = session.model
            model.zeroGradients()
            try softmaxCrossEntropy(try model(Variable(images), context), labels: labels).backward()
            importance.collect()
            session.masks.maskGradients(of: model.parameters)
            session.optimizer!.learningRate = settings.learningRate
            session.optimizer!.step(model.parameters)
            session.masks.apply(to: model.parameters)
        }
        session.model.zeroGradients()
    }

    /// The globally lowest normalised units: this step's share, or all that remain to reach the target.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        let selector = session.selector(defaultScope: .global), state = try runState(session)
        let scores = try session.scores(state.importance), normalization = session.config.normalization ?? .l2
        let needed = try selector.select(scores: scores, normalization: normalization)
        let remaining = selector.graph.groups.filter { scores[$0.name] != nil && !session.config.isIgnored($0) }
            .reduce(0) { $0 + $1.removableUnits }
        let settings = session.config.taylor
        let share = settings.unitsPerStep.map { max(1, $0) } ?? max(1, Int(Double(remaining) * settings.fractionPerStep))
        let neededCount = needed.values.reduce(0) { $0 + $1.count }
        let reached = neededCount <= share
        state.reached = reached
        session.log("taylor step \(session.step + 1): \(neededCount) units left to remove, removing \(min(share, neededCount))")
        return PruningPlan(removals: reached ? needed : try selector.selectLowest(count: share, scores: scores,
                                                                                   normalization: normalization))
    }

    /// Done once a step removed everything the target still needed.
    public func isComplete(_ session: PruningSession) throws -> Bool {
        (session.runState(of: RunState.self)?.reached ?? false) || session.step >= session.config.taylor.maximumSteps
    }

    /// This run's state: a fresh criterion with this pruner's settings and a cursor at the first batch.
    private func runState(_ session: PruningSession) throws -> RunState {
        try session.runState {
            RunState(importance: TaylorImportance(reduction: importance.reduction, batchLimit: importance.batchLimit),
                     batches: BatchCursor(try session.trainingData(for: "taylor pruning")))
        }
    }
}
