import Foundation
import PruneKitCore
import PruneKitData
import PruneKitPruning

/// A batch experiment read from a plan file (JSON): datasets × models × methods × targets × seeds, plus
/// explicit cells, with the dense training, fine-tuning, evaluation and latency settings they share.
/// `cells()` expands it into `ExperimentCell`s; `PlanKeys` documents every key.
///
/// ```json
/// { "datasets": ["mnist"],
///   "models": [{"name": "lenet5", "training": {"epochs": 2}}],
///   "methods": [{"name": "l1"}, {"name": "slimming", "options": {"slimming-penalty": 1e-4}}],
///   "targets": {"flops": [0.5, 0.25]}, "seeds": [1, 2],
///   "fineTuning": {"epochs": 1}, "latency": {"batchSizes": [1]} }
/// ```
///
/// ```swift
/// let plan = try ExperimentPlan.read(path: "plans/lenet.json")
/// print(plan.cells().count)   // 1 × 1 × 2 × 2 × 2 = 8
/// ```
public struct ExperimentPlan: Equatable {
    /// A dense model: trained from `training` once per (dataset, seed), or read from `checkpoint`.
    public struct ModelEntry: Equatable {
        /// Zoo name (`lenet5`).
        public var name: String
        /// Dense recipe overrides (nil with a checkpoint).
        public var training: TrainingRecipe?
        /// Absolute path of an existing dense checkpoint.
        public var checkpoint: String?
    }

    /// A method with its option values.
    public struct MethodEntry: Equatable {
        /// Registry name.
        public var name: String
        /// Unique name in the tables (default: `name`).
        public var label: String
        /// Scope override (nil: the method's choice).
        public var scope: PruningConfig.Scope?
        /// Option name -> text, as `MethodOption.apply` parses it.
        public var options: [String: String]
        /// Shared pruning options (ignored groups, cap, rounding, steps); empty: the defaults.
        public var shared = SharedSelection()
        /// What the method's paper reports for the nearest setting (`methods[].paper`); nil: not given.
        public var paper: PaperReference?
    }

    /// One cell the plan lists by hand.
    public struct ExplicitCell: Equatable {
        /// Dataset name, model name, method label.
        public var dataset: String, model: String, method: String
        /// The target.
        public var target: PruningTarget
        /// The seed.
        public var seed: UInt64
    }

    /// Title for reports.
    public var name = "experiment"
    /// Datasets, in plan order.
    public var datasets: [DatasetKind] = []
    /// Models, in plan order.
    public var models: [ModelEntry] = []
    /// Methods, in plan order.
    public var methods: [MethodEntry] = []
    /// Grid targets (flops, then params, then ratio lists).
    public var targets: [PruningTarget] = []
    /// Seeds.
    public var seeds: [UInt64] = [1]
    /// Fine-tuning overrides of each method's recommended recipe.
    public var fineTuning = TrainingRecipe()
    /// Subset limits (nil: whole split).
    public var trainLimit: Int?, testLimit: Int?
    /// Batch sizes for dense-vs-pruned timing (empty: none).
    public var latencyBatchSizes: [Int] = []
    /// Cells beyond the grid.
    public var explicitCells: [ExplicitCell] = []

    /// An empty plan (fill the fields, or use `read(path:)`).
    public init() {}

    /// Reads and validates the plan at `path`. Errors are `PruneKitError.invalidParameter` whose name is the key
    /// path in the file (`methods[1].name`), or `fileError` when the file cannot be read.
    public static func read(path: String) throws -> ExperimentPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PruneKitError.fileError(path: path, message: "cannot read the plan file")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try ExperimentPlan(node: PlanNode(json: data), directory: directory)
    }

    /// Parses plan JSON; relative checkpoint paths resolve against `directory`.
    public static func parse(_ data: Data, directory: String) throws -> ExperimentPlan {
        try ExperimentPlan(node: PlanNode(json: data), directory: directory)
    }
}
