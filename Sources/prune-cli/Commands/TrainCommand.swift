import Foundation
import PruneKit

/// `prune-cli train`: trains a zoo model (`--model`) or a network from a JSON file (`--model-spec`) on a dataset, writing `last.safetensors` every epoch,
/// `best.safetensors` on a new best test accuracy, and `metrics.csv`/`metrics.jsonl`; `--resume`
/// continues an interrupted run from `last.safetensors`; `--init-from` starts a new run from a checkpoint's
/// weights; `--epochs 0` writes and evaluates the initialised model.
struct TrainCommand: Command {
    static let name = "train"
    static let abstract = "Train a zoo model or a JSON-defined network on a dataset (checkpoints every epoch, resumable)."
    static let usage = "train (--model NAME | --model-spec FILE | --init-from CKPT) --dataset NAME --out DIR [--epochs N] [--batch-size N] [--lr X] [--schedule S] [--augment none|crop-flip] [--no-shuffle] [--seed N] [--resume] [--json]"
    static let options = [
        OptionSpec("model", "Zoo model (prune-cli models lists them), e.g. resnet20, lenet5; with --init-from, optional and must match."),
        OptionSpec("model-spec", "JSON file: a model spec or a network graph ({\"nodes\": [...]}); its input shape and classes must be the dataset's."),
        OptionSpec("init-from", "Start a new run from this checkpoint's weights and architecture (fresh optimizer and state; recipe from the flags)."),
    ] + DataOptions.options + [
        OptionSpec("out", "Run folder for checkpoints and metrics (created if missing)."),
        OptionSpec("epochs", "Epochs to train (default 30; 0 writes and evaluates the initialised model)."),
        OptionSpec("batch-size", "Images per batch (default 64)."),
        OptionSpec("lr", "Base learning rate (default 0.1 with batch norm; 0.05 without: mlp, lenet5, graphs with no batch_norm node)."),
        OptionSpec("momentum", "SGD momentum (default 0.9)."),
        OptionSpec("nesterov", value: false, "Use Nesterov momentum."),
        OptionSpec("weight-decay", "L2 weight decay of weight matrices and kernels (default 5e-4)."),
        OptionSpec("norm-bias-weight-decay", "L2 weight decay of batch-norm scales, shifts and biases (default 0 with batch norm; without, --weight-decay)."),
        OptionSpec("schedule", "constant, cosine (default with batch norm), one-cycle (default without), multi-step:E1,E2[:GAMMA] or table:E=LR,..."),
        OptionSpec("warmup-epochs", "Linear warm-up epochs (default 1 with batch norm, 0 without)."),
        OptionSpec("label-smoothing", "Label smoothing epsilon in [0, 1) (default 0.1 with batch norm, 0 without)."),
        OptionSpec("test-flip", "on or off: evaluate on each image and its mirror image, averaging logits (default on for CIFAR, off for MNIST)."),
        OptionSpec("eval-every", "Evaluate on the test set after every N-th epoch and the last (default 1)."),
    ] + TrainingDataOptions.options + [
        OptionSpec("seed", "Seed for initialisation, shuffling, augmentation and dropout (default 1)."),
        OptionSpec.threads,
        OptionSpec("resume", value: false, "Continue from DIR/last.safetensors if it exists; recipe flags must match it, --epochs may extend it."),
        OptionSpec("json", value: false, "Print the final summary as JSON on stdout."),
    ]
    let modelName: String?, modelSpecPath: String?, initFrom: String?, data: DataOptions?, out: String
    /// The recipe the flags describe; the learning rate is resolved against the model family in `run`.
    let config: TrainConfig
    let resume: Bool, json: Bool, arguments: Arguments

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(0, "no positional arguments")
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        (modelName, modelSpecPath, initFrom) = (arguments.string("model"), arguments.string("model-spec"), arguments.string("init-from"))
        (self.out, self.arguments) = (out, arguments)
        (resume, json) = (arguments.flag("resume"), arguments.flag("json"))
        if modelName != nil && modelSpecPath != nil {
            throw PruneKitError.usage("options '--model' and '--model-spec' exclude each other: give a zoo name or a JSON file, not both")
        }
        if modelName == nil && modelSpecPath == nil && initFrom == nil && !resume {
            throw PruneKitError.usage("option '--model' or '--model-spec' is required (or '--init-from CKPT', or '--resume' with an existing run)")
        }
        if let modelName { _ = try Self.zooSpec(named: modelName) }
        if let modelSpecPath { _ = try Self.specFile(modelSpecPath) }
        // --dataset may come from the checkpoint when resuming or initialising; a fresh run needs it now.
        data = arguments.given("dataset") || (initFrom == nil && !resume) ? try DataOptions(arguments) : nil
        var config = try Self.trainConfig(arguments)
        try TrainingDataOptions(arguments).apply(to: &config)
        self.config = config
        try arguments.applyThreads()
    }

    /// The TrainConfig described by the flags over `base`'s values (shared with `prune --finetune-*`, whose base is
    /// `TrainConfig()`; `train` passes the model family's `TrainConfig.recommended`).
    static func trainConfig(_ arguments: Arguments, prefix: String = "", base: TrainConfig = TrainConfig()) throws -> TrainConfig {
        var config = base
        config.epochs = try arguments.integer(prefix + "epochs", default: config.epochs, in: 0...100_000)
        config.batchSize = try arguments.integer("batch-size", default: config.batchSize, in: 1...65_536)
        config.learningRate = Float(try arguments.number(prefix + "lr", default: Double(config.learningRate), in: 0...100))
        config.momentum = Float(try arguments.number("momentum", default: Double(config.momentum), in: 0...1))
        config.nesterov = config.nesterov || arguments.flag("nesterov")
        config.weightDecay = Float(try arguments.number("weight-decay", default: Double(config.weightDecay), in: 0...1))
        if arguments.given("norm-bias-weight-decay") {
            config.vectorWeightDecay = Float(try arguments.number("norm-bias-weight-decay", default: 0, in: 0...1))
        }
        if let schedule = arguments.string(prefix + "schedule") { config.schedule = try LearningRateSchedule(parsing: schedule) }
        config.warmupEpochs = try arguments.integer("warmup-epochs", default: config.warmupEpochs, in: 0...100_000)
        config.labelSmoothing = Float(try arguments.number("label-smoothing", default: Double(config.labelSmoothing), in: 0...0.999))
        if arguments.given("test-flip") { config.testTimeFlip = try arguments.choice("test-flip", ["on", "off"], default: "off") == "on" }
        config.seed = UInt64(try arguments.integer("seed", default: Int(config.seed), in: 0...Int.max))
        if config.nesterov && config.momentum == 0 { throw PruneKitError.usage("option '--nesterov' needs '--momentum' > 0") }
        return config
    }

    /// The zoo's spec for `--model`, with lookup failures as usage errors naming the flag.
    static func zooSpec(named name: String) throws -> ModelSpec {
        do { return try ModelZoo.spec(named: name) } catch let error as PruneKitError {
            if case .usage = error { throw error }
            throw PruneKitError.usage("option '--model': \(error.description)")
        }
    }

    func run() throws {
        if let warning = BLAS.slowerKernelsWarning { printError(warning) }
        let lastPath = out + "/last.safetensors"
        let start = try startingPoint(lastPath)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let (model, config, kind) = (start.model, start.config, start.data.kind)
        let train = try start.data.load(.train), test = try start.data.load(.test)
        let trainLoader = try DataLoader(dataset: train, config: config.trainingLoaderConfig(for: kind))
        let testLoader = try DataLoader(dataset: test, config: .evaluation(batchSize: max(config.batchSize, 256)))
        let optimizer = try config.makeOptimizer()
        try optimizer.loadStateTensors(start.optimizerState)
        let trainer = Trainer(model: model, optimizer: optimizer, config: config, training: trainLoader, evaluation: testLoader,
                              classCount: kind.classCount)
        trainer.evaluationInterval = try arguments.integer("eval-every", default: 1, in: 1...100_000)
        let reporter = ProgressReporter(totalEpochs: config.epochs, batchSize: config.batchSize)
        attach(reporter, to: trainer, lastPath: lastPath, metadata: start.metadata)
        printError(environmentLine())
        printError("training \(model.spec.name) (\(model.parameterCount) parameters) on \(kind.name) for \(config.epochs) epochs from epoch \(start.state.completedEpochs)"
                   + ", augmentation \(TrainingDataOptions.name(of: config.augmentation ?? kind.trainingAugmentation))\(config.shuffle ? "" : ", no shuffling")")
        let clock = Profiler.now()
        let state = try trainer.fit(from: start.state)
        // No epoch has run (--epochs 0): the initialised (or --init-from) model is the result; save and evaluate it.
        let initial = state.history.isEmpty ? try Evaluator.evaluate(model, on: testLoader, classCount: kind.classCount) : nil
        if initial != nil { try writeCheckpoints(model: model, optimizer: optimizer, config: config, state: state, metadata: start.metadata, best: true) }
        try printSummary(TrainSummary(model: model.spec.name, dataset: kind.name, state: state, initial: initial, seconds: Profiler.now() - clock,
                                      parameters: model.parameterCount, flops: try model.cost().flops, out: out))
    }

    private func attach(_ reporter: ProgressReporter, to trainer: Trainer, lastPath: String, metadata: [String: String]) {
        var currentEpoch = -1
        trainer.onProgress = { done, total, loss, accuracy in
            if done == 1 { currentEpoch += 1; reporter.beginEpoch() }
            reporter.update(epoch: currentEpoch, done: done, total: total, loss: loss, accuracy: accuracy)
        }
        let (model, optimizer, config) = (trainer.model as! Model, trainer.optimizer, trainer.config)
        trainer.onEpochEnd = { state in
            currentEpoch = state.completedEpochs - 1
            reporter.endEpoch(state.history.last!)
            try writeCheckpoints(model: model, optimizer: optimizer, config: config, state: state, metadata: metadata,
                                 best: state.bestEpoch == state.completedEpochs - 1)
            try MetricsLog.write(state.history, to: out)
        }
    }

    /// `last.safetensors`, and `best.safetensors` when `best`.
    private func writeCheckpoints(model: Model, optimizer: Optimizer, config: TrainConfig, state: TrainingState,
                                  metadata: [String: String], best: Bool) throws {
        let checkpoint = ModelCheckpoint(model: model, trainConfig: config, trainingState: state,
                                         optimizerState: optimizer.stateTensors(), metadata: metadata)
        try checkpoint.write(to: out + "/last.safetensors")
        if best { try checkpoint.write(to: out + "/best.safetensors") }
    }

    private func printSummary(_ summary: TrainSummary) throws {
        if json { print(try jsonText(summary)); return }
        print(summary.description)
    }
}
