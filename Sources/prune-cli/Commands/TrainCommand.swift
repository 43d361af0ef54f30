import Foundation
import PruneKit

/// `prune-cli train`: trains a zoo model on a dataset, writing `last.safetensors` every epoch,
/// `best.safetensors` on a new best test accuracy, and `metrics.csv`/`metrics.jsonl`; `--resume`
/// continues an interrupted run from `last.safetensors`.
struct TrainCommand: Command {
    static let name = "train"
    static let abstract = "Train a model from the zoo on a dataset (checkpoints every epoch, resumable)."
    static let usage = "train --model NAME --dataset NAME --out DIR [--epochs N] [--batch-size N] [--lr X] [--schedule S] [--seed N] [--resume] [--json]"
    static let options = [OptionSpec("model", "Zoo model (prune-cli models lists them), e.g. resnet20, lenet5.")] + DataOptions.options + [
        OptionSpec("out", "Run folder for checkpoints and metrics (created if missing)."),
        OptionSpec("epochs", "Epochs to train (default 30)."),
        OptionSpec("batch-size", "Images per batch (default 128)."),
        OptionSpec("lr", "Base learning rate (default 0.1; 0.01 for mlp and lenet5 models, which have no batch norm)."),
        OptionSpec("momentum", "SGD momentum (default 0.9)."),
        OptionSpec("nesterov", value: false, "Use Nesterov momentum."),
        OptionSpec("weight-decay", "L2 weight decay (default 5e-4)."),
        OptionSpec("schedule", "constant, cosine (default), one-cycle, multi-step:E1,E2[:GAMMA] or table:E=LR,..."),
        OptionSpec("warmup-epochs", "Linear warm-up epochs (default 0)."),
        OptionSpec("label-smoothing", "Label smoothing epsilon in [0, 1) (default 0)."),
        OptionSpec("seed", "Seed for initialisation, shuffling, augmentation and dropout (default 1)."),
        OptionSpec.threads,
        OptionSpec("resume", value: false, "Continue from DIR/last.safetensors if it exists."),
        OptionSpec("json", value: false, "Print the final summary as JSON on stdout."),
    ]
    let modelName: String, data: DataOptions, out: String, config: TrainConfig, resume: Bool, json: Bool, epochsGiven: Bool

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(0, "no positional arguments")
        guard let model = arguments.string("model") else { throw PruneKitError.usage("option '--model' is required") }
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        (modelName, self.out) = (model, out)
        data = try DataOptions(arguments)
        var config = try Self.trainConfig(arguments)
        // Without batch norm, 0.1 with momentum 0.9 diverges (LeNet-5 on MNIST: NaN loss at iteration 16);
        // 0.01 is the usual recipe for these (Han et al. 2015's Caffe LeNets).
        if arguments.string("lr") == nil, let family = try? ModelZoo.spec(named: model).family, !family.usesBatchNorm {
            config.learningRate = 0.01
        }
        self.config = config
        (resume, json, epochsGiven) = (arguments.flag("resume"), arguments.flag("json"), arguments.string("epochs") != nil)
        try arguments.applyThreads()
    }

    /// The TrainConfig described by the flags (shared with `prune --finetune-*`).
    static func trainConfig(_ arguments: Arguments, prefix: String = "") throws -> TrainConfig {
        var config = TrainConfig()
        config.epochs = try arguments.integer(prefix + "epochs", default: config.epochs, in: 0...100_000)
        config.batchSize = try arguments.integer("batch-size", default: config.batchSize, in: 1...65_536)
        config.learningRate = Float(try arguments.number(prefix + "lr", default: Double(config.learningRate), in: 0...100))
        config.momentum = Float(try arguments.number("momentum", default: Double(config.momentum), in: 0...1))
        config.nesterov = arguments.flag("nesterov")
        config.weightDecay = Float(try arguments.number("weight-decay", default: Double(config.weightDecay), in: 0...1))
        if let schedule = arguments.string(prefix + "schedule") { config.schedule = try LearningRateSchedule(parsing: schedule) }
        config.warmupEpochs = try arguments.integer("warmup-epochs", default: 0, in: 0...100_000)
        config.labelSmoothing = Float(try arguments.number("label-smoothing", default: 0, in: 0...0.999))
        config.seed = UInt64(try arguments.integer("seed", default: 1, in: 0...Int.max))
        if config.nesterov && config.momentum == 0 { throw PruneKitError.usage("option '--nesterov' needs '--momentum' > 0") }
        return config
    }

    func run() throws {
        if let warning = BLAS.slowerKernelsWarning { printError(warning) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let lastPath = out + "/last.safetensors"
        var (model, config, state, optimizerState) = try startingPoint(lastPath)
        if epochsGiven { config.epochs = self.config.epochs }
        let train = try data.load(.train), test = try data.load(.test)
        let trainLoader = try DataLoader(dataset: train, config: .training(for: data.kind, batchSize: config.batchSize, seed: config.seed))
        let testLoader = try DataLoader(dataset: test, config: .evaluation(batchSize: max(config.batchSize, 256)))
        let optimizer = try config.makeOptimizer()
        try optimizer.loadStateTensors(optimizerState)
        let trainer = Trainer(model: model, optimizer: optimizer, config: config, training: trainLoader, evaluation: testLoader,
                              classCount: data.kind.classCount)
        let reporter = ProgressReporter(totalEpochs: config.epochs, batchSize: config.batchSize)
        attach(reporter, to: trainer, lastPath: lastPath, data: data)
        printError(environmentLine())
        printError("training \(model.spec.name) (\(model.parameterCount) parameters) on \(data.kind.name) for \(config.epochs) epochs from epoch \(state.completedEpochs)")
        let start = Profiler.now()
        state = try trainer.fit(from: state)
        try printSummary(TrainSummary(model: model.spec.name, dataset: data.kind.name, state: state, seconds: Profiler.now() - start,
                                      parameters: model.parameterCount, flops: try model.cost().flops, out: out))
    }

    /// Fresh model and state, or the contents of DIR/last.safetensors with --resume.
    private func startingPoint(_ lastPath: String) throws -> (Model, TrainConfig, TrainingState, [String: Tensor]) {
        if resume && FileManager.default.fileExists(atPath: lastPath) {
            AtomicFile.removeStaleTemporaryFiles(for: lastPath)
            let checkpoint = try ModelCheckpoint.read(path: lastPath)
            guard let config = checkpoint.trainConfig, let state = checkpoint.trainingState else {
                throw PruneKitError.malformedFile(path: lastPath, expected: "train_config and training_state to resume from", found: "a checkpoint without them")
            }
            printError("resuming from \(lastPath) after epoch \(state.completedEpochs)")
            return (checkpoint.model, config, state, checkpoint.optimizerState)
        }
        var spec: ModelSpec
        do { spec = try ModelZoo.spec(named: modelName) } catch let error as PruneKitError {
            if case .usage = error { throw error }
            throw PruneKitError.usage("option '--model': \(error.description)")
        }
        (spec.inputShape, spec.classCount) = (data.kind.imageShape, data.kind.classCount)
        try spec.validate()
        return (try Model(spec: spec, seed: config.seed), config, TrainingState(seed: config.seed), [:])
    }

    private func attach(_ reporter: ProgressReporter, to trainer: Trainer, lastPath: String, data: DataOptions) {
        var currentEpoch = -1
        trainer.onProgress = { done, total, loss, accuracy in
            if done == 1 { currentEpoch += 1; reporter.beginEpoch() }
            reporter.update(epoch: currentEpoch, done: done, total: total, loss: loss, accuracy: accuracy)
        }
        let (model, optimizer, config) = (trainer.model as! Model, trainer.optimizer, trainer.config)
        trainer.onEpochEnd = { state in
            currentEpoch = state.completedEpochs - 1
            reporter.endEpoch(state.history.last!)
            let checkpoint = ModelCheckpoint(model: model, trainConfig: config, trainingState: state,
                                             optimizerState: optimizer.stateTensors(), metadata: ["dataset": data.kind.name])
            try checkpoint.write(to: lastPath)
            if state.bestEpoch == state.completedEpochs - 1 { try checkpoint.write(to: out + "/best.safetensors") }
            try MetricsLog.write(state.history, to: out)
        }
    }

    private func printSummary(_ summary: TrainSummary) throws {
        if json { print(try jsonText(summary)); return }
        print(String(format: "%@ on %@: final test accuracy %.2f%%, best %.2f%% (epoch %d), %d epochs in %.1f s; checkpoints in %@",
                     summary.model, summary.dataset, 100 * (summary.finalTestAccuracy ?? 0), 100 * summary.bestTestAccuracy,
                     summary.bestEpoch + 1, summary.epochs, summary.seconds, summary.out))
    }
}

/// The final summary of `prune-cli train` (stdout, or JSON with --json).
struct TrainSummary: Encodable {
    let model: String, dataset: String
    let epochs: Int, finalTestAccuracy: Float?, bestTestAccuracy: Float, bestEpoch: Int
    let seconds: Double, parameters: Int, flops: Int, out: String
    let history: [EpochRecord]

    init(model: String, dataset: String, state: TrainingState, seconds: Double, parameters: Int, flops: Int, out: String) {
        (self.model, self.dataset, self.seconds, self.parameters, self.flops, self.out) = (model, dataset, seconds, parameters, flops, out)
        (epochs, finalTestAccuracy, bestTestAccuracy, bestEpoch) = (state.completedEpochs, state.history.last?.testAccuracy, state.bestAccuracy, state.bestEpoch)
        history = state.history
    }
}
