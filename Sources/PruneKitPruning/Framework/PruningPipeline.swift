import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The library entry point the CLI calls for `prune-cli prune`: evaluate, prune with a method and target,
/// evaluate, fine-tune, evaluate, measure dense-vs-pruned latency, and return a `PruningReport`. The model is
/// pruned in place (its `currentSpec()` then describes the checkpoint to write).
///
///     accuracy before -> pruner (reparameterize, training phase, prepare/plan/apply steps, finish)
///     -> accuracy after pruning -> fine-tuning -> accuracy after fine-tuning -> costs, latency -> report
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// var options = PruningPipeline.Options()
/// options.fineTuning = PrunerRegistry.entries[0].recommendedFineTuning   // set .epochs
/// options.latencyBatchSizes = [128, 1]
/// let report = try PruningPipeline.run(model: model, method: "l1", config: config,
///                                      data: PruningData(training: train, evaluation: test), options: options)
/// ```
public enum PruningPipeline {
    /// What to do around the pruning itself.
    public struct Options {
        /// Fine-tuning after pruning; nil or 0 epochs: none.
        public var fineTuning: TrainConfig?
        /// Batch sizes at which to time dense vs pruned inference (empty: no timing).
        public var latencyBatchSizes: [Int] = []
        /// Threads for the timing (nil: the current `Parallel.threadCount`), the same for both models.
        public var latencyThreads: Int?
        /// Untimed passes and (at least) timed passes per measurement.
        public var latencyWarmup = 3, latencyIterations = 10
        /// Keep alternating dense and pruned passes until this many seconds have passed (default 1).
        public var latencyMinimumSeconds: Double = 1
        /// Progress lines.
        public var log: (String) -> Void = { _ in }
        /// Called after each fine-tuning epoch (the CLI writes checkpoints here).
        public var onFineTuningEpochEnd: ((TrainingState) throws -> Void)?

        /// No fine-tuning, no timing.
        public init() {}
    }

    /// Prunes `model` with the registry's `method`.
    public static func run(model: Model, method: String, config: PruningConfig, data: PruningData,
                           options: Options = Options()) throws -> PruningReport {
        try run(model: model, pruner: PrunerRegistry.makePruner(named: method, config: config), methodName: method,
                config: config, data: data, options: options)
    }

    /// Prunes `model` with `pruner` (a method outside the registry, or a configured instance).
    public static func run(model: Model, pruner: Pruner, methodName: String, config: PruningConfig, data: PruningData,
                           options: Options = Options()) throws -> PruningReport {
        var clock = PhaseClock()
        let dense = options.latencyBatchSizes.isEmpty ? nil : try model.copy()
        let before = try model.cost(), nonzeroBefore = PruningReport.nonzeroCounts(of: model)
        let accuracyBefore = try clock.time("evaluation") { try evaluate(model, data) }
        let session = try PruningSession(model: model, config: config, data: data)
        session.log = options.log
        try clock.time("pruning") { try prune(session, with: pruner) }
        let accuracyAfterPruning = try clock.time("evaluation") { try evaluate(model, data) }
        let epochs = options.fineTuning?.epochs ?? 0
        if let fineTuning = options.fineTuning, epochs > 0 {
            try clock.time("fine-tuning") { try fineTune(session, pruner, fineTuning, options) }
        }
        let accuracyAfterFineTuning = epochs > 0 ? try clock.time("evaluation") { try evaluate(model, data) } : nil
        let after = try model.cost(), nonzeroAfter = PruningReport.nonzeroCounts(of: model)
        let latency = try clock.time("latency") { try dense.map { try compareLatency($0, model, options) } ?? [] }
        return PruningReport(model: model.spec.name, method: methodName, config: config,
                             layers: PruningReport.rows(before: before, after: after, nonzeroBefore: nonzeroBefore, nonzeroAfter: nonzeroAfter),
                             widthsAfter: try model.currentSpec().widthTable, parametersBefore: before.parameterCount,
                             parametersAfter: after.parameterCount, flopsBefore: before.flops, flopsAfter: after.flops,
                             nonzeroBefore: nonzeroBefore.values.reduce(0, +), nonzeroAfter: nonzeroAfter.values.reduce(0, +),
                             accuracyBefore: accuracyBefore, accuracyAfterPruning: accuracyAfterPruning,
                             accuracyAfterFineTuning: accuracyAfterFineTuning, fineTuningEpochs: epochs, latency: latency,
                             results: session.results, seconds: clock.seconds)
    }

    /// The pruner's protocol, top to bottom.
    public static func prune(_ session: PruningSession, with pruner: Pruner) throws {
        try pruner.reparameterize(session)
        if let phase = try pruner.trainingPhase(session) {
            session.log("\(phase.name): \(phase.config.epochs) epochs")
            try session.train(phase)
        }
        repeat {
            try pruner.prepare(session)
            try pruner.apply(try pruner.plan(session), to: session)
        } while !(try pruner.isComplete(session))
        try pruner.finish(session)
        try session.recordColumnMasks()
    }

    private static func fineTune(_ session: PruningSession, _ pruner: Pruner, _ config: TrainConfig, _ options: Options) throws {
        var phase = TrainingPhase(name: "fine-tuning", config: config, hooks: try pruner.fineTuningHooks(session))
        phase.onEpochEnd = options.onFineTuningEpochEnd
        try session.train(phase)
    }

    private static func evaluate(_ model: Model, _ data: PruningData) throws -> Float? {
        try data.evaluation.map { try Evaluator.evaluate(model, on: $0, classCount: model.spec.classCount).accuracy }
    }

    private static func compareLatency(_ dense: Model, _ pruned: Model, _ options: Options) throws -> [PruningReport.LatencyComparison] {
        try options.latencyBatchSizes.map { batch in
            try PruningReport.LatencyComparison.measure(dense: dense, pruned: pruned, batchSize: batch, threads: options.latencyThreads,
                                                        warmup: options.latencyWarmup, repetitions: options.latencyIterations,
                                                        minimumSeconds: options.latencyMinimumSeconds)
        }
    }
}

/// Wall time per named phase, summed over repeats.
struct PhaseClock {
    private(set) var seconds: [String: Double] = [:]

    mutating func time<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = Profiler.now()
        defer { seconds[phase, default: 0] += Profiler.now() - start }
        return try body()
    }
}
