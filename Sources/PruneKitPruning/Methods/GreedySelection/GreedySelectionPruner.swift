import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Greedy forward selection (Ye et al., "Good Subnetworks Provably Exist: Pruning via Greedy Forward Selection",
/// ICML 2020; greedy.md, from the official code). Layer by layer from the input side, each eligible layer is rebuilt
/// from the empty set by adding, one at a time, the channel whose addition most lowers the loss on a fresh training
/// batch (`GreedyLayerSelection`, gates N * a with a uniform 1/|S| over the selected set), until the D_eval top-1 is
/// within tau of the layer's starting accuracy. The unselected channels are then removed physically and the factor
/// N / |S| folded into the readers' input weights (exact: the gate follows the nonlinearity and the reader is
/// linear), so the result is a plain, thinner network; a short fine-tune (`fineTuneEpochFraction` of an epoch)
/// follows each layer that lost channels.
///
/// Decisions where greedy.md leaves them open ([proposal]):
/// - Eligible layers: block-internal (`.layer`) groups not read by the output layer (VGG and MLP: every conv and
///   hidden layer but the last before the classifier; ResNet and WRN: each block's first conv); residual streams stay
///   whole (the spec's simplest correct choice). `--ignore` removes layers as for every method.
/// - Gates scale the BatchNorm (or the filter) that finishes each channel instead of a hook: equal for gates >= 0,
///   and every candidate evaluation keeps the fused, threaded inference path.
/// - D_eval: the first `evaluationImages` images the training loader yields (with its augmentation, as the
///   official code's D_eval), drawn once; batches: the training loader's, one fresh batch per addition.
/// - With `usesTarget` (default), the config's target is turned into a per-layer budget |S| <= N - r, r the uniform
///   removal count that meets it, so a run never stops above the target; without it only the code's tolerance rule
///   stops a layer.
/// - The optional long final fine-tune is the pipeline's ordinary fine-tuning (`--finetune-epochs`).
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// config.greedySelection.candidateCount = 20
/// try PruningPipeline.run(model: model, method: "greedy", config: config, data: data)
/// ```
public final class GreedySelectionPruner: Pruner {
    /// Settings ([proposal] CIFAR/MNIST defaults of greedy.md; the code's ImageNet values in brackets).
    public struct Settings: Codable, Equatable {
        /// K, candidates evaluated per addition (50).
        public var candidateCount = 50
        /// tau, relative top-1 tolerance of the stopping rule (0.02).
        public var tolerance = 0.02
        /// beta, slack of the batch pre-check before D_eval is evaluated (0.05).
        public var slack = 0.05
        /// |D_eval| in images (5,000 [every 200th ImageNet training image]).
        public var evaluationImages = 5_000
        /// Whether the config's target caps each layer's kept channels (see the type's notes).
        public var usesTarget = true
        /// Length of the fine-tune after each pruned layer, in epochs (0.1).
        public var fineTuneEpochFraction = 0.1
        /// Its learning rate (2.5e-3).
        public var fineTuneLearningRate: Float = 0.0025
        /// Its momentum (0.9 [the code passes none: 0]).
        public var fineTuneMomentum: Float = 0.9
        /// Its weight decay (4e-5).
        public var fineTuneWeightDecay: Float = 4e-5

        /// The defaults above.
        public init() {}
    }

    /// One layer's record, for the report and tests.
    public struct LayerRecord: Equatable, Sendable {
        /// The group.
        public let group: String
        /// N.
        public let width: Int
        /// |S| (N when every channel was added).
        public let kept: Int
        /// Candidate loss evaluations (forward passes over one training batch).
        public let candidateEvaluations: Int
        /// D_eval passes.
        public let evaluationPasses: Int
        /// Wall seconds of the selection.
        public let seconds: Double
        /// Of which: wall seconds of the candidate evaluations (the rest is D_eval passes, pre-checks, batch loading).
        public var candidateSeconds: Double = 0
    }

    /// One run's state.
    final class RunState {
        var groups: [String] = []
        var budgets: [String: Int] = [:]
        var position = 0
        var evaluation: [(images: Tensor, labels: [Int])] = []
        let batches: BatchCursor
        var generator: SplitMix64
        var pending: (group: String, gates: GreedyGateVector, allAdded: Bool)?
        var records: [LayerRecord] = []

        init(batches: BatchCursor, seed: UInt64) { (self.batches, generator) = (batches, SplitMix64(seed: seed)) }
    }

    /// Whether candidate evaluations reuse the batch's cached prefix up to the layer (`Model.inferencePrefix`) and run
    /// batched over candidates; false evaluates each candidate by a whole forward pass with the layer scaled (the
    /// reference path the tests compare against). `PRUNEKIT_GREEDY_FULL_FORWARD=1` sets false, to time the two.
    var usesPrefixCache = ProcessInfo.processInfo.environment["PRUNEKIT_GREEDY_FULL_FORWARD"] != "1"

    /// Most memory the cached D_eval prefixes of one layer may take (1 GiB: every ResNet-20 layer fits at 5,000 images,
    /// 0.66 GB in layer1; VGG-16's 64-wide 32x32 layers, 1.3 GB a slot, do not).
    static let evaluationCacheBytes = 1 << 30

    /// A pruner.
    public init() {}

    /// Selects the next eligible layer's channels (gates restored afterwards).
    public func prepare(_ session: PruningSession) throws {
        let state = try runState(session)
        guard state.position < state.groups.count else { return }
        let settings = session.config.greedySelection, name = state.groups[state.position]
        let group = try session.graph.group(named: name)
        let scaling = try ChannelGateScaling(group: group, model: session.model)
        defer { scaling.restore() }
        var batch: (images: Tensor, labels: [Int])?
        // Slow path: scale the layer, run the whole network, put the layer back.
        func scaled<T>(_ multipliers: [Float], _ body: () throws -> T) rethrows -> T {
            scaling.apply(multipliers)
            defer { scaling.restore() }
            return try body()
        }
        var evaluations = GreedyLayerSelection.Evaluations(
            nextBatch: { try state.batches.run(updates: 1) { batch = ($0, $1) } },
            batchLoss: { m in try scaled(m) { try Self.loss(session.model, batch!) } },
            batchAccuracy: { m in try scaled(m) { try Self.accuracy(session.model, [batch!]) } },
            evaluationAccuracy: { m in try scaled(m) { try Self.accuracy(session.model, state.evaluation) } })
        // Fast path: the batch's prefix up to the layer is computed once per addition; each candidate runs the rest.
        if usesPrefixCache, let step = Self.gatePoint(of: group, in: session.model) {
            var prefix: InferencePrefix?
            let model = session.model
            func logits(_ multipliers: [[Float]]) throws -> [Tensor] {
                if prefix == nil { prefix = try model.inferencePrefix(batch!.images, through: step) }
                return try model.inferenceSuffix(prefix!, multipliers: multipliers)
            }
            evaluations.nextBatch = { try state.batches.run(updates: 1) { batch = ($0, $1) }; prefix = nil }
            func losses(_ multipliers: [[Float]]) throws -> [Float] {
                try logits(multipliers).map { try Self.loss(logits: $0, labels: batch!.labels) }
            }
            evaluations.batchLosses = losses
            evaluations.batchLoss = { try losses([$0])[0] }
            evaluations.batchAccuracy = { m in
                let correct = Self.correctCount(try logits([m])[0], labels: batch!.labels)
                return batch!.labels.isEmpty ? 0 : Float(correct) / Float(batch!.labels.count)
            }
            // D_eval's prefixes are cached for the layer too when they fit in `evaluationCacheBytes` (checked on the
            // first batch); otherwise D_eval passes take the slow path.
            var evaluationPrefixes: [InferencePrefix]?
            if let first = state.evaluation.first,
               try model.inferencePrefix(first.images, through: step).byteCount * state.evaluation.count <= Self.evaluationCacheBytes {
                evaluations.evaluationAccuracy = { m in
                    if evaluationPrefixes == nil { evaluationPrefixes = try state.evaluation.map { try model.inferencePrefix($0.images, through: step) } }
                    var correct = 0, total = 0
                    for (prefix, labels) in zip(evaluationPrefixes!, state.evaluation.map(\.labels)) {
                        correct += Self.correctCount(try model.inferenceSuffix(prefix, multipliers: [m])[0], labels: labels)
                        total += labels.count
                    }
                    return total == 0 ? 0 : Float(correct) / Float(total)
                }
            }
        }
        // Time spent in candidate evaluations, for the log.
        var candidateSeconds = 0.0
        let losses = evaluations.losses
        evaluations.batchLosses = { candidates in
            let begin = Profiler.now()
            defer { candidateSeconds += Profiler.now() - begin }
            return try losses(candidates)
        }
        let selection = GreedyLayerSelection(candidateCount: settings.candidateCount, tolerance: settings.tolerance,
                                             slack: settings.slack, maximumKept: state.budgets[name])
        let start = Profiler.now()
        let outcome = try selection.select(width: group.unitCount, evaluations: evaluations, generator: &state.generator)
        state.pending = (name, outcome.gates, outcome.allAdded)
        let record = LayerRecord(group: name, width: group.unitCount, kept: outcome.gates.selected.count,
                                 candidateEvaluations: outcome.candidateEvaluations, evaluationPasses: outcome.evaluationPasses,
                                 seconds: Profiler.now() - start, candidateSeconds: candidateSeconds)
        state.records.append(record)
        session.log("greedy \(name): kept \(record.kept) of \(record.width) after \(record.candidateEvaluations) candidate evaluations "
                    + "and \(record.evaluationPasses) D_eval passes (\(String(format: "%.1f", record.seconds)) s, of which candidates "
                    + "\(String(format: "%.1f", record.candidateSeconds)) s)")
    }

    /// The unselected channels of the layer just selected.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        guard let pending = try runState(session).pending, !pending.allAdded else { return PruningPlan(removals: [:]) }
        let kept = Set(pending.gates.selected)
        return PruningPlan(removals: [pending.group: (0..<pending.gates.width).filter { !kept.contains($0) }])
    }

    /// Removes them, folds N / |S| into the readers, fine-tunes briefly, and moves to the next layer.
    public func apply(_ plan: PruningPlan, to session: PruningSession) throws {
        let state = try runState(session)
        try session.apply(plan)
        if let pending = state.pending, !pending.allAdded {
            try Self.foldScale(Float(pending.gates.width) / Float(pending.gates.selected.count), into: pending.group, of: session)
            try fineTune(session)
        }
        state.pending = nil
        state.position += 1
    }

    /// Multiplies every reader's input weights of group `name` by `factor`: after the unselected channels are gone,
    /// this folds the gates N / |S| of the kept ones into the next layer (exact, the reader being linear).
    public static func foldScale(_ factor: Float, into name: String, of session: PruningSession) throws {
        let readers = try UnitSlices(group: session.graph.group(named: name), model: session.model, roles: [.input])
        for member in readers.members {
            member.variable.value.withUnsafeMutableBufferPointer { w in
                for unit in 0..<readers.unitCount { member.forEachIndex(of: unit) { w[$0] *= factor } }
            }
        }
    }

    /// Done after the last eligible layer.
    public func isComplete(_ session: PruningSession) throws -> Bool {
        let state = try runState(session)
        return state.position >= state.groups.count
    }

    /// What each layer's selection did, in order (empty before a run).
    public static func records(of session: PruningSession) -> [LayerRecord] {
        session.runState(of: RunState.self)?.records ?? []
    }

    /// The eligible groups of `graph` under `config`, in model order.
    public static func eligibleGroups(_ graph: DependencyGraph, model: Model, config: PruningConfig) -> [String] {
        let output = model.graph.nodes.last?.name
        return graph.groups.filter { group in
            group.kind == .layer && !config.isIgnored(group) && !group.members.contains { $0.role == .input && $0.layerName == output }
                && group.members.filter { $0.role == .output }.count == 1
        }.map(\.name)
    }

    private func fineTune(_ session: PruningSession) throws {
        let settings = session.config.greedySelection, state = try runState(session)
        let updates = Int((settings.fineTuneEpochFraction * Double(state.batches.provider.batchCount)).rounded(.up))
        guard updates > 0 else { return }
        let optimizer = try SGD(learningRate: settings.fineTuneLearningRate, momentum: settings.fineTuneMomentum,
                                weightDecay: settings.fineTuneWeightDecay)
        let context = ForwardContext(training: true, generator: SplitMix64(seed: session.config.seed &+ UInt64(state.position)))
        try state.batches.run(updates: updates) { images, labels in
            session.model.zeroGradients()
            try softmaxCrossEntropy(try session.model(Variable(images), context), labels: labels).backward()
            optimizer.step(session.model.parameters)
        }
        session.model.zeroGradients()
    }

    private func runState(_ session: PruningSession) throws -> RunState {
        try session.runState {
            let settings = session.config.greedySelection
            let state = RunState(batches: BatchCursor(try session.trainingData(for: "greedy forward selection")), seed: session.config.seed)
            state.groups = Self.eligibleGroups(session.graph, model: session.model, config: session.config)
            var drawn = 0
            while drawn < settings.evaluationImages {
                try state.batches.run(updates: 1) { images, labels in state.evaluation.append((images, labels)); drawn += labels.count }
            }
            if settings.usesTarget && session.config.target != .unconstrained {
                let scores = Dictionary(uniqueKeysWithValues: try state.groups.map { ($0, [Float](repeating: 0, count: try session.graph.group(named: $0).unitCount)) })
                let removals = try session.selector(defaultScope: .uniform).select(scores: scores, normalization: .none)
                for name in state.groups { state.budgets[name] = try session.graph.group(named: name).unitCount - (removals[name]?.count ?? 0) }
            }
            return state
        }
    }

    /// The step of `model`'s compiled pass at whose output `group`'s gates can be applied (`Model.gatePoint`): the group
    /// has one finishing layer (`ChannelGateScaling`) and nothing but a ReLU follows it inside its step. nil: slow path.
    static func gatePoint(of group: ChannelGroup, in model: Model) -> Int? {
        let finishing = ChannelGateScaling.finishingMembers(of: group)
        guard finishing.count == 1 else { return nil }
        return model.gatePoint(finishing: finishing[0].layerName)
    }

    /// Mean cross-entropy of `batch` in evaluation mode, without gradients.
    static func loss(_ model: Model, _ batch: (images: Tensor, labels: [Int])) throws -> Float {
        let logits = try GradientMode.withoutGradients { try model(Variable(batch.images), ForwardContext(training: false)) }.value
        return try loss(logits: logits, labels: batch.labels)
    }

    /// Mean cross-entropy of `logits` [N, classes].
    static func loss(logits: Tensor, labels: [Int]) throws -> Float {
        try GradientMode.withoutGradients { try softmaxCrossEntropy(Variable(logits), labels: labels).value.scalars[0] }
    }

    /// Top-1 over `batches` in evaluation mode.
    static func accuracy(_ model: Model, _ batches: [(images: Tensor, labels: [Int])]) throws -> Float {
        var correct = 0, total = 0
        for (images, labels) in batches {
            let logits = try GradientMode.withoutGradients { try model(Variable(images), ForwardContext(training: false)) }.value
            correct += correctCount(logits, labels: labels)
            total += labels.count
        }
        return total == 0 ? 0 : Float(correct) / Float(total)
    }

    /// Rows of `logits` [N, classes] whose argmax (first on ties, `argmaxRows`) is the label.
    static func correctCount(_ logits: Tensor, labels: [Int]) -> Int {
        zip(logits.argmaxRows(), labels).filter { $0 == $1 }.count
    }
}
