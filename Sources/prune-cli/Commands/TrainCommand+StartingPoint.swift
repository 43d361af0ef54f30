import Foundation
import PruneKit

/// Where a `train` run starts: the model, the recipe, the state, the optimizer's state, the data, and the
/// metadata every checkpoint of the run carries (`dataset`, and `init_from` for a run started with --init-from).
struct TrainStart {
    var model: Model
    var config: TrainConfig
    var state: TrainingState
    var optimizerState: [String: Tensor]
    var data: DataOptions
    var metadata: [String: String]
}

extension TrainCommand {
    /// Metadata key naming the checkpoint a run was initialised from (`CheckpointOrigin` JSON: file name, SHA-256).
    static let initFromKey = "init_from"

    /// DIR/last.safetensors with --resume when it exists, else the --init-from checkpoint's weights, else a
    /// freshly initialised zoo model (--model) or network from a JSON file (--model-spec).
    func startingPoint(_ lastPath: String) throws -> TrainStart {
        if resume && FileManager.default.fileExists(atPath: lastPath) { return try resumed(from: lastPath) }
        if let initFrom { return try initialised(from: initFrom) }
        let data = try self.data ?? DataOptions(arguments)
        let spec: ModelSpec
        if let modelSpecPath {
            spec = try Self.specFile(modelSpecPath)
            try Self.checkSpecFile(spec, path: modelSpecPath, fits: data.kind)
        } else if let modelName {
            // A zoo model adapts to the dataset: its input shape and classes are the dataset's.
            var zoo = try Self.zooSpec(named: modelName)
            (zoo.inputShape, zoo.classCount) = (data.kind.imageShape, data.kind.classCount)
            spec = zoo
        } else {
            throw PruneKitError.usage("option '--model' or '--model-spec' is required to start a run (there is no \(lastPath) to resume)")
        }
        try spec.validate()
        let config = try recipe(for: spec, kind: data.kind)
        return TrainStart(model: try Model(spec: spec, seed: config.seed), config: config, state: TrainingState(seed: config.seed),
                          optimizerState: [:], data: data, metadata: ["dataset": data.kind.name])
    }

    /// The flags over the network family's recommended recipe (`TrainConfig.recommended`), with the dataset's
    /// augmentation made explicit (so the checkpoint records what ran).
    private func recipe(for spec: ModelSpec, kind: DatasetKind) throws -> TrainConfig {
        var config = try Self.trainConfig(arguments, base: .recommended(batchNormalized: spec.usesBatchNorm, dataset: kind))
        try TrainingDataOptions(arguments).apply(to: &config)
        return config.resolvingAugmentation(for: kind)
    }

    /// A new run from `path`'s weights and architecture: fresh optimizer and state, the recipe from the flags.
    private func initialised(from path: String) throws -> TrainStart {
        let checkpoint = try readCheckpoint(path, nonFinite: .refuse)
        let spec = checkpoint.model.spec
        if let modelName, try Self.zooSpec(named: modelName).name != spec.name {
            throw PruneKitError.usage("option '--model': '\(modelName)' does not match \(path), which holds a \(spec.name)")
        }
        try checkSpecFileMatches(checkpoint, path: path)
        let data = try self.data ?? DataOptions(arguments, defaultDataset: checkpoint.metadata["dataset"])
        guard spec.inputShape == data.kind.imageShape, spec.classCount == data.kind.classCount else {
            throw PruneKitError.usage("option '--dataset': \(data.kind.name) has \(data.kind.imageShape) images in \(data.kind.classCount) classes, "
                                      + "but \(path) expects \(spec.inputShape) images in \(spec.classCount) classes")
        }
        let config = try recipe(for: spec, kind: data.kind)
        let metadata = ["dataset": data.kind.name, Self.initFromKey: try CheckpointOrigin(describing: path).jsonText()]
        printError("initialising from \(path) (\(spec.name), \(checkpoint.model.parameterCount) parameters): fresh optimizer and training state")
        return TrainStart(model: checkpoint.model, config: config, state: TrainingState(seed: config.seed), optimizerState: [:],
                          data: data, metadata: metadata)
    }

    /// The run in `lastPath`, with the flags checked against its recorded recipe and --epochs applied.
    private func resumed(from lastPath: String) throws -> TrainStart {
        AtomicFile.removeStaleTemporaryFiles(for: lastPath)
        let checkpoint = try readCheckpoint(lastPath, nonFinite: .refuse)
        guard var config = checkpoint.trainConfig, let state = checkpoint.trainingState else {
            throw PruneKitError.malformedFile(path: lastPath, expected: "train_config and training_state to resume from", found: "a checkpoint without them")
        }
        let data = try self.data ?? DataOptions(arguments, defaultDataset: checkpoint.metadata["dataset"])
        config = config.resolvingAugmentation(for: data.kind)
        try checkResumable(checkpoint, recorded: config, state: state, data: data, path: lastPath)
        if arguments.given("epochs") { config.epochs = self.config.epochs }
        var metadata = checkpoint.metadata
        metadata["dataset"] = data.kind.name
        printError("resuming from \(lastPath) after epoch \(state.completedEpochs) of \(config.epochs)")
        return TrainStart(model: checkpoint.model, config: config, state: state, optimizerState: checkpoint.optimizerState,
                          data: data, metadata: metadata)
    }
}
