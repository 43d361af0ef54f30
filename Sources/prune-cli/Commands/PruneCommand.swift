import Foundation
import PruneKit

/// `prune-cli prune CKPT --method NAME --flops 0.5 --finetune-epochs 10 --out DIR`: prunes a checkpoint
/// physically, fine-tunes, and writes `pruned.safetensors`, `report.json` and `report.txt`.
struct PruneCommand: Command {
    static let name = "prune"
    static let abstract = "Prune a checkpoint with a method to a target, fine-tune, and report (physically smaller model)."
    static let usage = "prune CKPT --method NAME (--flops F | --params F | --ratio R | --preset NAME) --out DIR [--finetune-epochs N] [options]"
    static let options = [
        OptionSpec("method", "Pruning method (prune-cli methods lists them)."),
        OptionSpec("flops", "Target: keep this fraction of the dense FLOPs, e.g. 0.5."),
        OptionSpec("params", "Target: keep this fraction of the dense parameters."),
        OptionSpec("ratio", "Target: remove this fraction of channels (of weights for unstructured methods)."),
        OptionSpec("preset", "A paper's exact configuration instead of a target (methods --detail l1 lists them)."),
        OptionSpec("global", value: false, "Rank channels across layers (default: the method's choice)."),
        OptionSpec("uniform", value: false, "The same ratio in every layer."),
        OptionSpec("max-ratio", "Global scope: no layer loses more than this fraction (default 1)."),
        OptionSpec("group-ratio", "Per-group overrides, e.g. layer1.0.conv1=0.3,feature.0=0."),
        OptionSpec("ignore", "Comma-separated groups or layers never pruned (prefix* allowed)."),
        OptionSpec("round-to", "Round kept widths up to a multiple of N (default 1)."),
        OptionSpec("steps", "Reach the target in N iterative steps (default 1; not for methods that set their own: "
                   + PrunerRegistry.names.filter { methodsWithOwnSchedule.contains($0) }.joined(separator: ", ") + ")."),
        OptionSpec("out", "Folder for pruned.safetensors, report.json and report.txt."),
        OptionSpec("finetune-epochs", "Fine-tuning epochs after pruning (default 0)."),
        OptionSpec("finetune-lr", "Fine-tuning learning rate (default: the method's recipe)."),
        OptionSpec("finetune-schedule", "Fine-tuning schedule (default: the method's recipe)."),
        OptionSpec("batch-size", "Images per batch for fine-tuning and evaluation (default 128)."),
    ] + TrainingDataOptions.options + [
        OptionSpec("latency-batch-sizes", "Batch sizes at which to time dense vs pruned (default 128,1; 'none' to skip)."),
        OptionSpec("seed", "Seed for every random choice (default 1)."),
        OptionSpec.threads,
        OptionSpec("json", value: false, "Print the report as JSON on stdout."),
    ] + DataOptions.options + MethodOption.all.map { OptionSpec($0.name, "[\($0.method)] " + $0.help) }

    let checkpointPath: String, method: String, out: String, config: PruningConfig, fineTuning: TrainConfig?
    /// --augment and --no-shuffle: how the training loader (the method's training phases, fine-tuning) presents the data.
    let trainingData: TrainingDataOptions
    let latencyBatchSizes: [Int], json: Bool, arguments: Arguments

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one checkpoint path")
        guard let method = arguments.string("method") else { throw PruneKitError.usage("option '--method' is required") }
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        let entry = try PrunerRegistry.entry(named: method)
        (checkpointPath, self.method, self.out, self.arguments) = (arguments.positionals[0], entry.name, out, arguments)
        config = try Self.pruningConfig(arguments, method: entry.name)
        trainingData = try TrainingDataOptions(arguments)
        fineTuning = try Self.fineTuningConfig(arguments, recipe: entry.recommendedFineTuning)
        latencyBatchSizes = try Self.batchSizes(arguments.string("latency-batch-sizes") ?? "128,1")
        json = arguments.flag("json")
        try arguments.applyThreads()
    }

    /// Methods whose pruner decides when it is complete (`isComplete`), so `--steps` would be ignored.
    static let methodsWithOwnSchedule: Set<String> = ["taylor", "magnitude", "deep-compression", "increg", "spp", "sdprun", "bpcp", "greedy", "bmwm", "darb"]
    /// Methods whose sparsity comes from their own training, which run without a target (the paper's form).
    /// BMWM and DARB may take `--compression` (or BMWM `--block-size`) instead.
    static let methodsWithoutTarget: Set<String> = ["sdprun", "bmwm", "darb"]

    static func pruningConfig(_ arguments: Arguments, method: String) throws -> PruningConfig {
        var config = try PresetFlags.startingConfig(arguments, method: method)
        let targets = ["flops", "params", "ratio"].filter { arguments.string($0) != nil }
        if arguments.string("preset") != nil {
            try arguments.reject(["flops", "params", "ratio", "group-ratio", "ignore", "global", "uniform"],
                                 because: "is set by '--preset' (the paper's configuration)")
        } else if targets.isEmpty && Self.methodsWithoutTarget.contains(method) {
            config.target = .unconstrained
        } else {
            guard targets.count == 1 else {
                throw PruneKitError.usage("give exactly one target: '--flops', '--params' or '--ratio' (found \(targets.count))")
            }
            config.target = try PruningTarget(parsing: targets[0] + "=" + arguments.string(targets[0])!)
        }
        if arguments.string("compression") != nil {
            try arguments.reject(["flops", "params", "ratio"], because: "is replaced by '--compression' (one target only)")
        }
        if arguments.flag("global") && arguments.flag("uniform") { throw PruneKitError.usage("give '--global' or '--uniform', not both") }
        if arguments.flag("global") { config.scope = .global } else if arguments.flag("uniform") { config.scope = .uniform }
        if config.scope == .uniform { try arguments.reject(["max-ratio"], because: "caps global ranking; it has no effect with '--uniform'") }
        if Self.methodsWithOwnSchedule.contains(method) {
            try arguments.reject(["steps"], because: "is not used by method '\(method)', which sets its own number of pruning steps (see 'prune-cli methods --detail \(method)')")
        }
        config.maximumGroupRatio = try arguments.number("max-ratio", default: 1, in: 0...1)
        config.roundTo = try arguments.integer("round-to", default: 1, in: 1...4096)
        config.iterativeSteps = try arguments.integer("steps", default: 1, in: 1...10_000)
        config.seed = UInt64(try arguments.integer("seed", default: 1, in: 0...Int.max))
        if let ignored = arguments.string("ignore") { config.ignored = ignored.split(separator: ",").map(String.init) }
        for pair in (arguments.string("group-ratio") ?? "").split(separator: ",") {
            let sides = pair.split(separator: "=")
            guard sides.count == 2, let ratio = Double(sides[1]), ratio >= 0, ratio < 1 else {
                throw PruneKitError.usage("option '--group-ratio': expected NAME=R with R in [0, 1), found '\(pair)'")
            }
            config.groupRatios[String(sides[0])] = ratio
        }
        for option in MethodOption.all {
            guard let value = arguments.string(option.name) else { continue }
            guard option.applies(to: method) else {
                throw PruneKitError.usage("option '--\(option.name)' belongs to method '\(option.method)', not '\(method)'")
            }
            try option.apply(&config, value)
        }
        try config.validate()
        return config
    }

    static func fineTuningConfig(_ arguments: Arguments, recipe: TrainConfig) throws -> TrainConfig? {
        var config = recipe
        config.epochs = try arguments.integer("finetune-epochs", default: 0, in: 0...100_000)
        guard config.epochs > 0 else {
            try arguments.reject(["finetune-lr", "finetune-schedule"], because: "needs '--finetune-epochs' > 0 (there is no fine-tuning to apply it to)")
            return nil
        }
        config.learningRate = Float(try arguments.number("finetune-lr", default: Double(recipe.learningRate), in: 0...100))
        if let schedule = arguments.string("finetune-schedule") {
            config.schedule = try ParameterFlags.parsing(flag: "finetune-schedule") { try LearningRateSchedule(parsing: schedule) }
        }
        config.batchSize = try arguments.integer("batch-size", default: recipe.batchSize, in: 1...65_536)
        config.seed = UInt64(try arguments.integer("seed", default: 1, in: 0...Int.max))
        try TrainingDataOptions(arguments).apply(to: &config)
        return config
    }

    static func batchSizes(_ text: String) throws -> [Int] {
        if text == "none" { return [] }
        let sizes = text.split(separator: ",").map { Int($0) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw PruneKitError.usage("option '--latency-batch-sizes': expected positive integers like 128,1 or 'none', found '\(text)'")
        }
        return sizes.map { $0! }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let checkpoint = try readCheckpoint(checkpointPath, nonFinite: .refuse)
        if let preset = try PresetFlags.preset(arguments) { try ParameterFlags.parsing(flag: "preset") { try preset.check(checkpoint.model.spec) } }
        // Before the pipeline narrows the model in place: bench compares the pruned checkpoint with this.
        let denseSpec = try DenseArchitecture.record(for: checkpoint)
        let origin = try CheckpointOrigin(describing: checkpointPath)
        let data = try DataOptions(arguments, defaultDataset: checkpoint.metadata["dataset"])
        let fineTuning = self.fineTuning?.resolvingAugmentation(for: data.kind)
        let loading = try fineTuning ?? trainingLoaderRecipe()
        let train = try DataLoader(dataset: try data.load(.train), config: loading.trainingLoaderConfig(for: data.kind))
        let test = try DataLoader(dataset: try data.load(.test), config: .evaluation(batchSize: max(loading.batchSize, 256)))
        var options = PruningPipeline.Options()
        (options.fineTuning, options.latencyBatchSizes) = (fineTuning, latencyBatchSizes)
        options.log = { printError($0) }
        printError(environmentLine())
        let report = try PruningPipeline.run(model: checkpoint.model, method: method, config: config,
                                             data: PruningData(training: train, evaluation: test), options: options)
        try write(report, checkpoint: checkpoint, origin: origin, fineTuning: fineTuning, dataset: data.kind.name, denseSpec: denseSpec)
        print(json ? try jsonText(report) : report.description)
    }

    /// Metadata: `pruning` holds the shared options and the chosen method's settings only; `pruned_from` the
    /// dense file's name and SHA-256 (not its absolute path, which means nothing on another machine); `dense_spec`
    /// the dense architecture (`DenseArchitecture`).
    /// Batch size, seed, augmentation and shuffling of the training loader when there is no fine-tuning (the
    /// method's own training phases and data-driven criteria still read it).
    private func trainingLoaderRecipe() throws -> TrainConfig {
        var recipe = TrainConfig()
        recipe.batchSize = try arguments.integer("batch-size", default: 128, in: 1...65_536)
        recipe.seed = config.seed
        trainingData.apply(to: &recipe)
        return recipe
    }

    /// The pruned checkpoint's `train_config` is the fine-tuning recipe that produced its weights (none without
    /// fine-tuning).
    private func write(_ report: PruningReport, checkpoint: ModelCheckpoint, origin: CheckpointOrigin, fineTuning: TrainConfig?,
                       dataset: String, denseSpec: String) throws {
        var metadata = checkpoint.metadata
        metadata["dataset"] = dataset
        metadata["pruning"] = try report.config.methodRecord(for: method)
        metadata["pruning_method"] = method
        metadata[CheckpointOrigin.prunedFromKey] = try origin.jsonText()
        metadata[DenseArchitecture.metadataKey] = denseSpec
        try ModelCheckpoint(model: checkpoint.model, trainConfig: fineTuning, metadata: metadata).write(to: out + "/pruned.safetensors")
        let reportJSON = try jsonText(report)
        try AtomicFile.write(Data(reportJSON.utf8), to: out + "/report.json")
        try AtomicFile.write(Data(report.description.utf8), to: out + "/report.txt")
    }
}

/// `prune-cli methods [--detail NAME]`: the registry, one line each; with --detail, a method's flags.
struct MethodsCommand: Command {
    static let name = "methods"
    static let abstract = "List the pruning methods, one line each (--detail NAME for a method's flags)."
    static let usage = "methods [--detail NAME]"
    static let options = [OptionSpec("detail", "Show one method's summary, flags and defaults.")]
    let detail: String?

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(0, "no positional arguments")
        detail = try arguments.string("detail").map { name in try ParameterFlags.parsing(flag: "detail") { try PrunerRegistry.entry(named: name).name } }
    }

    func run() throws {
        guard let detail else { print(PrunerRegistry.listing); return }
        let entry = try PrunerRegistry.entry(named: detail)
        print("\(entry.name): \(entry.summary)")
        print("structured: \(entry.isStructured ? "yes (channels removed physically)" : "no (masks)")")
        let recipe = entry.recommendedFineTuning
        print("fine-tuning recipe: lr \(recipe.learningRate), schedule \(recipe.schedule), momentum \(recipe.momentum), weight decay \(recipe.weightDecay)")
        for option in MethodOption.all where option.applies(to: entry.name) { print("  --\(option.name)  \(option.help)") }
        for line in PresetFlags.listing(for: entry.name) { print(line) }
        if let notes = MethodNotes.text[entry.name] { print(notes) }
    }
}
