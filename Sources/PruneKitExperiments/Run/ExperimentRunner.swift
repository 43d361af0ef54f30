import Foundation
import PruneKitCore

/// The expanded cells of a run, saved as `DIR/experiment.json` so that `report` needs only DIR.
public struct ExperimentManifest: Codable, Equatable {
    /// The plan's title.
    public var name: String
    /// Every cell of the plan, in expansion order.
    public var cells: [ExperimentCell]
    /// The plan's paper references by method label (`methods[].paper`); empty in manifests written before them.
    public var paperReferences: [String: PaperReference]

    /// A manifest of `cells` titled `name`.
    public init(name: String, cells: [ExperimentCell], paperReferences: [String: PaperReference] = [:]) {
        (self.name, self.cells, self.paperReferences) = (name, cells, paperReferences)
    }

    private enum CodingKeys: String, CodingKey { case name, cells, paperReferences }

    /// Decodes a manifest; `paperReferences` may be absent (written before it existed).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        cells = try container.decode([ExperimentCell].self, forKey: .cells)
        paperReferences = try container.decodeIfPresent([String: PaperReference].self, forKey: .paperReferences) ?? [:]
    }
}

/// Runs a selection of a plan's cells in one process: saves the manifest, trains each dense model the selected
/// cells need (once, resumably), then runs the cells in index order, skipping those whose `result.json`
/// exists. Several processes may share DIR (shards, `--cell` jobs): every file is written atomically, each
/// cell has its own folder, and two processes training the same dense model write the same bytes.
///
/// ```swift
/// let runner = ExperimentRunner(layout: ExperimentLayout(root: "runs/lenet"), data: ExperimentData(dataDirectory: nil))
/// let cells = try plan.cells()
/// try runner.saveManifest(ExperimentManifest(name: plan.name, cells: cells))
/// try runner.run(ExperimentRunner.select(cells, shard: (0, 2)))
/// ```
public struct ExperimentRunner {
    /// The output folder.
    public let layout: ExperimentLayout
    /// The data the cells read.
    public let data: ExperimentData
    /// Progress lines (stderr in the CLI).
    public var log: (String) -> Void = { _ in }

    /// A runner writing under `layout`.
    public init(layout: ExperimentLayout, data: ExperimentData) { (self.layout, self.data) = (layout, data) }

    /// The cells with `index % count == shard.index` (all with nil), restricted to `ids` when given.
    public static func select(_ cells: [ExperimentCell], shard: (index: Int, count: Int)? = nil, ids: [String] = []) -> [ExperimentCell] {
        cells.filter { cell in
            (shard.map { cell.index % $0.count == $0.index } ?? true) && (ids.isEmpty || ids.contains(cell.id))
        }
    }

    /// One cell per distinct trained dense model, in cell order: the units of a dense-training array
    /// (`experiment run --dense-only --shard K/N` trains the models at positions with position % N == K).
    public static func denseTrainingCells(_ cells: [ExperimentCell]) -> [ExperimentCell] {
        var seen = Set<String>()
        return cells.filter { $0.checkpointPath == nil && seen.insert($0.configuration.dense.id).inserted }
    }

    /// Writes DIR/experiment.json (atomically; every process of a run writes the same bytes).
    public func saveManifest(_ manifest: ExperimentManifest) throws {
        try layout.createDirectory(layout.root)
        try layout.writeJSON(manifest, to: layout.experimentPath)
    }

    /// Reads DIR/experiment.json.
    public func loadManifest() throws -> ExperimentManifest {
        try layout.readJSON(ExperimentManifest.self, from: layout.experimentPath)
    }

    /// Trains the dense models `cells` start from, each once; returns them by dense id.
    @discardableResult
    public func trainDenseModels(for cells: [ExperimentCell]) throws -> [String: DenseResult] {
        var results: [String: DenseResult] = [:]
        for cell in cells where cell.checkpointPath == nil {
            let dense = cell.configuration.dense
            if results[dense.id] == nil { results[dense.id] = try DenseTraining.run(dense, layout: layout, data: data, log: log) }
        }
        return results
    }

    /// Runs `cells` one after another (dense models first); returns the results in the same order.
    @discardableResult
    public func run(_ cells: [ExperimentCell]) throws -> [CellResult] {
        let dense = try trainDenseModels(for: cells)
        var results: [CellResult] = []
        for cell in cells {
            if layout.isDone(cell: cell.id) { log("cell \(cell.id): done already, skipped") }
            results.append(try runCell(cell, dense: dense))
        }
        return results
    }

    /// Runs one cell whose dense model is trained (`dense` holds it, or its `dense.json` exists).
    public func runCell(_ cell: ExperimentCell, dense: [String: DenseResult] = [:]) throws -> CellResult {
        let denseID = cell.configuration.dense.id
        if let path = cell.checkpointPath {
            return try CellRun.run(cell, denseCheckpoint: path, denseSeconds: 0, layout: layout, data: data, log: log)
        }
        let trained = try dense[denseID] ?? DenseTraining.run(cell.configuration.dense, layout: layout, data: data, log: log)
        return try CellRun.run(cell, denseCheckpoint: layout.denseModelPath(denseID), denseSeconds: trained.seconds,
                               layout: layout, data: data, log: log)
    }
}
