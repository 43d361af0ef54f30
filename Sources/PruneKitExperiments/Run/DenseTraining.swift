import Foundation
import PruneKitCore
import PruneKitData
import PruneKitNetworks
import PruneKitTraining

/// What a finished dense training left in `DIR/dense/<id>/dense.json`.
public struct DenseResult: Codable, Equatable {
    /// The configuration trained.
    public var configuration: DenseConfiguration
    /// Test accuracy after the last epoch (nil for a checkpoint or 0 epochs).
    public var accuracy: Float?
    /// Seconds spent in training epochs (summed over interrupted attempts' completed epochs).
    public var seconds: Double
}

/// Trains a plan's dense model once, resumably: `last.safetensors` after every epoch (weights, optimizer and
/// training state, as `prune-cli train` writes it), and a rerun continues from it; the resumed run is
/// bit-identical to an uninterrupted one (the trainer's contract). When done, `model.safetensors` and then
/// `dense.json` are written.
///
/// ```swift
/// let result = try DenseTraining.run(dense, layout: layout, data: data, log: { print($0) })
/// ```
public enum DenseTraining {
    /// Trains (or finishes training) `dense` unless `dense.json` exists; returns the result.
    public static func run(_ dense: DenseConfiguration, layout: ExperimentLayout, data: ExperimentData,
                           log: @escaping (String) -> Void) throws -> DenseResult {
        let id = dense.id, directory = layout.denseDirectory(id)
        if FileManager.default.fileExists(atPath: layout.denseResultPath(id)) {
            return try layout.readJSON(DenseResult.self, from: layout.denseResultPath(id))
        }
        guard let config = dense.training else {
            throw PruneKitError.invalidArgument(operation: "DenseTraining.run", message: "dense \(id) is a checkpoint, not a recipe")
        }
        try layout.createDirectory(directory)
        try layout.writeJSON(dense, to: directory + "/configuration.json")
        let kind = try DatasetKind(name: dense.dataset)
        let (train, test) = try data.splits(kind, trainLimit: dense.trainLimit, testLimit: dense.testLimit)
        let (model, state, optimizerState) = try startingPoint(dense, kind: kind, lastPath: directory + "/last.safetensors", log: log)
        let optimizer = try config.makeOptimizer()
        try optimizer.loadStateTensors(optimizerState)
        let trainer = Trainer(model: model, optimizer: optimizer, config: config,
                              training: try DataLoader(dataset: train, config: config.trainingLoaderConfig(for: kind)),
                              evaluation: try DataLoader(dataset: test, config: .evaluation(batchSize: max(config.batchSize, 256))),
                              classCount: kind.classCount)
        let metadata = ["dataset": kind.name]
        trainer.onEpochEnd = { state in
            let record = state.history.last!
            log("dense \(id) \(dense.model) seed \(dense.seed): epoch \(state.completedEpochs)/\(config.epochs) "
                + "test accuracy \(record.testAccuracy.map { "\($0)" } ?? "-")")
            try ModelCheckpoint(model: model, trainConfig: config, trainingState: state, optimizerState: optimizer.stateTensors(),
                                metadata: metadata).write(to: directory + "/last.safetensors")
        }
        let final = try trainer.fit(from: state)
        try ModelCheckpoint(model: model, trainConfig: config, trainingState: final, metadata: metadata).write(to: layout.denseModelPath(id))
        let result = DenseResult(configuration: dense, accuracy: final.history.last?.testAccuracy,
                                 seconds: final.history.reduce(0) { $0 + $1.seconds })
        try layout.writeJSON(result, to: layout.denseResultPath(id))
        return result
    }

    /// The run in `lastPath` when it exists, else a freshly initialised zoo model.
    private static func startingPoint(_ dense: DenseConfiguration, kind: DatasetKind, lastPath: String,
                                      log: (String) -> Void) throws -> (Model, TrainingState, [String: Tensor]) {
        _ = AtomicFile.removeStaleTemporaryFiles(for: lastPath)
        if FileManager.default.fileExists(atPath: lastPath) {
            let checkpoint = try ModelCheckpoint.read(path: lastPath)
            guard let state = checkpoint.trainingState else {
                throw PruneKitError.malformedFile(path: lastPath, expected: "a training_state to resume from", found: "none")
            }
            log("dense \(dense.id): resuming after epoch \(state.completedEpochs)")
            return (checkpoint.model, state, checkpoint.optimizerState)
        }
        var spec = try ModelZoo.spec(named: dense.model)
        (spec.inputShape, spec.classCount) = (kind.imageShape, kind.classCount)
        try spec.validate()
        let seed = dense.training?.seed ?? dense.seed
        return (try Model(spec: spec, seed: seed), TrainingState(seed: seed), [:])
    }
}
