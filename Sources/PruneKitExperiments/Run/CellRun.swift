import Foundation
import PruneKitCore
import PruneKitData
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning

/// Runs one cell: reads the dense checkpoint, prunes, fine-tunes, evaluates and times through
/// `PruningPipeline.run`, then writes `pruned.safetensors`, `report.json` and finally `result.json`
/// (atomically: the cell is done exactly when that file exists).
///
/// Resume: an interrupted cell restarts its pipeline from the dense checkpoint. Pruning and fine-tuning are
/// seeded and the dense checkpoint is fixed, so the restart reaches the same bits an uninterrupted run
/// would (at the same thread count); only the time is lost.
///
/// ```swift
/// let result = try CellRun.run(cell, denseCheckpoint: layout.denseModelPath(dense.id), denseSeconds: 12,
///                              layout: layout, data: data, log: { print($0) })
/// ```
public enum CellRun {
    /// Runs `cell` unless its `result.json` exists; returns the result.
    public static func run(_ cell: ExperimentCell, denseCheckpoint: String, denseSeconds: Double, layout: ExperimentLayout,
                           data: ExperimentData, log forward: @escaping (String) -> Void) throws -> CellResult {
        let id = cell.id, directory = layout.cellDirectory(id)
        if layout.isDone(cell: id) { return try layout.readJSON(CellResult.self, from: layout.resultPath(cell: id)) }
        try layout.createDirectory(directory)
        try layout.writeJSON(cell.configuration, to: directory + "/configuration.json")
        let log = AppendingLog(path: directory + "/log.txt", forward: forward)
        let configuration = cell.configuration, dense = configuration.dense
        log.write("cell \(id): \(dense.model) on \(dense.dataset), \(cell.label) \(configuration.target), seed \(configuration.seed), "
                  + "\(Parallel.threadCount) threads (a restart begins again from the dense checkpoint)")
        let checkpoint = try ModelCheckpoint.read(path: denseCheckpoint)
        try checkpoint.requireFiniteValues(path: denseCheckpoint)
        let kind = try DatasetKind(name: dense.dataset)
        let report = try PruningPipeline.run(model: checkpoint.model, method: configuration.method, config: try configuration.pruningConfig(),
                                             data: try loaders(configuration, kind: kind, data: data), options: options(configuration, log))
        var metadata = checkpoint.metadata
        metadata["dataset"] = kind.name
        metadata["pruning_method"] = configuration.method
        try ModelCheckpoint(model: checkpoint.model, trainConfig: configuration.fineTuning, metadata: metadata)
            .write(to: directory + "/pruned.safetensors")
        try layout.writeJSON(report, to: directory + "/report.json")
        let result = CellResult(id: id, configuration: configuration, parametersBefore: report.parametersBefore,
                                parametersAfter: report.parametersAfter, flopsBefore: report.flopsBefore, flopsAfter: report.flopsAfter,
                                accuracyBefore: report.accuracyBefore, accuracyAfterPruning: report.accuracyAfterPruning,
                                accuracyAfterFineTuning: report.accuracyAfterFineTuning, latency: report.latency, seconds: report.seconds,
                                denseTrainingSeconds: denseSeconds, threads: Parallel.threadCount)
        try layout.writeJSON(result, to: layout.resultPath(cell: id))
        log.write("cell \(id): done, FLOPs kept \(result.flopsKept), accuracy \(result.accuracyAfterFineTuning ?? result.accuracyAfterPruning ?? -1)")
        return result
    }

    /// The training loader (fine-tuning recipe, else batch 128 with the cell's seed) and the test loader.
    private static func loaders(_ configuration: CellConfiguration, kind: DatasetKind, data: ExperimentData) throws -> PruningData {
        let dense = configuration.dense
        let (train, test) = try data.splits(kind, trainLimit: dense.trainLimit, testLimit: dense.testLimit)
        var recipe = configuration.fineTuning ?? TrainConfig()
        recipe.seed = configuration.seed
        return PruningData(training: try DataLoader(dataset: train, config: recipe.trainingLoaderConfig(for: kind)),
                           evaluation: try DataLoader(dataset: test, config: .evaluation(batchSize: max(recipe.batchSize, 256))))
    }

    private static func options(_ configuration: CellConfiguration, _ log: AppendingLog) -> PruningPipeline.Options {
        var options = PruningPipeline.Options()
        options.fineTuning = configuration.fineTuning
        options.latencyBatchSizes = configuration.latencyBatchSizes
        options.log = { log.write($0) }
        return options
    }
}
