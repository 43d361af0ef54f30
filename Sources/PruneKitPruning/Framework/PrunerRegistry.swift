import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The one list of pruning methods (STYLE.md rule 11: an explicit table, no reflection). The CLI's `--method`,
/// `prune-cli methods`, `methods --detail NAME`, the method flags (`MethodOption.all`), the notes
/// (`MethodNotes.text`), the encoded method settings (`settingsTypes`) and the registry-wide tests all read
/// `entries`; a method appears here only once it is implemented.
///
/// Adding a method:
/// 1. Create `Sources/PruneKitPruning/Methods/<Method>/` and put everything the method owns there.
/// 2. `<Method>Pruner.swift`: the `Pruner` (only `plan` is required; hooks default to no-ops) with a nested
///    `Settings: Codable, Equatable` struct (`public init()` = the paper's defaults), plus any hooks, solver or
///    coding of its own, one primary type per file.
/// 3. `PruningConfig+<Method>.swift`: `extension <Method>Pruner.Settings: MethodSettings { public static let
///    key = "<method>" }` and the accessor `extension PruningConfig { public var <method>: <Method>Pruner.Settings
///    { get { methodSettings[...] } set { methodSettings[...] = newValue } } }`.
/// 4. `PrunerRegistry+<Method>.swift`: `extension PrunerRegistry.Entry { static let <method> = Entry(name:,
///    summary:, isStructured:, recommendedFineTuning:, criterion:, settings: [<Method>Pruner.Settings.self],
///    options: [MethodOption(...)], notes: "decisions on the spec's [proposal] / not found points",
///    makePruner:) }`. Every option's help ends with the paper's default and its source.
/// 5. Add the one line `.<method>,` to `entries` below, where `prune-cli methods` should list it.
/// 6. Tests in `Tests/PruneKitPruningTests/Methods/<Method>/`: the spec's faithfulness tests (the paper's formulas
///    and defaults checked against hand-computed values, one test per claim). The registry-wide tests then cover
///    it with no edit: `PruningRegistryTests` prunes and runs a model with it, `PruningConfigRecordTests` and
///    `MethodSettingsStoreTests` check its settings key, options and checkpoint record.
/// 7. Check `prune-cli methods --detail <name>`: summary, fine-tuning recipe, options and notes.
///
/// ```swift
/// for entry in PrunerRegistry.entries { print(entry.name, "-", entry.summary) }
/// let pruner = try PrunerRegistry.makePruner(named: "l1", config: config)
/// ```
public enum PrunerRegistry {
    /// One method, declared in its folder (`Methods/<Method>/PrunerRegistry+<Method>.swift`).
    public struct Entry {
        /// The `--method` name.
        public let name: String
        /// One line for `prune-cli methods`.
        public let summary: String
        /// Whether the method removes channels physically (false: masks, shapes unchanged).
        public let isStructured: Bool
        /// The paper's fine-tuning recipe (the CLI sets `epochs` from `--finetune-epochs`).
        public let recommendedFineTuning: TrainConfig
        /// The channel criterion, for `SensitivityAnalysis` (nil for unstructured methods).
        public let criterion: ((PruningConfig) -> Importance)?
        /// The `MethodSettings` the method reads (kept in a pruned checkpoint's `pruning` record).
        public let settings: [any MethodSettings.Type]
        /// The method's flags, with the paper's defaults in their help.
        public let options: [MethodOption]
        /// Decisions on the spec's "[proposal]" and "not found" points, for `methods --detail` (nil: none).
        public let notes: String?
        /// Builds a fresh pruner.
        public let makePruner: (PruningConfig) throws -> Pruner

        init(name: String, summary: String, isStructured: Bool, recommendedFineTuning: TrainConfig,
             criterion: ((PruningConfig) -> Importance)?, settings: [any MethodSettings.Type] = [], options: [MethodOption] = [],
             notes: String? = nil, makePruner: @escaping (PruningConfig) throws -> Pruner) {
            (self.name, self.summary, self.isStructured, self.recommendedFineTuning) = (name, summary, isStructured, recommendedFineTuning)
            (self.criterion, self.settings, self.options, self.notes, self.makePruner) = (criterion, settings, options, notes, makePruner)
        }
    }

    /// Every method, in the order `methods` lists them: one line per method folder's entry.
    public static let entries: [Entry] = [
        .l1,
        .l2,
        .random,
        .taylor,
        .slimming,
        .magnitude,
        .deepCompression,
        .softFilter,
        .growingRegularization1,
        .growingRegularization2,
        .incrementalRegularization,
        .structuredProbabilisticPruning,
        .directionalPruning,
        .greedySelection,
        .eigenDamage,
        .diagonalFisherOBD,
        .kroneckerOBD,
        .kroneckerOBS,
        .inverseDiagonalOBS,
        .blockChannelPruning,
        .blockMaxWeightMasking,
        .densityAdaptiveRegularBlock,
    ]

    /// Method names, in order.
    public static var names: [String] { entries.map(\.name) }

    /// Every settings type some entry reads, once each, in registry order (what `PruningConfig` encodes).
    public static var settingsTypes: [any MethodSettings.Type] {
        var seen = Set<String>()
        return entries.flatMap(\.settings).filter { seen.insert($0.key).inserted }
    }

    /// The entry called `name`; throws `usage` listing the methods otherwise.
    public static func entry(named name: String) throws -> Entry {
        guard let entry = entries.first(where: { $0.name == name.lowercased() }) else {
            throw PruneKitError.invalidParameter(name: "method", expected: "one of \(names.joined(separator: ", "))", found: "'\(name)'")
        }
        return entry
    }

    /// A fresh pruner for `name`.
    public static func makePruner(named name: String, config: PruningConfig) throws -> Pruner {
        try entry(named: name).makePruner(config)
    }

    /// One line per method: `name  summary`.
    public static var listing: String {
        let width = names.map(\.count).max() ?? 0
        return entries.map { $0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n")
    }

    /// Filter-norm criterion L`norm` with the configured reduction (default sum), shared by several methods.
    static func magnitude(_ norm: Int, _ config: PruningConfig) -> Importance {
        MagnitudeImportance(norm: norm, reduction: config.reduction ?? .sum)
    }

    /// Momentum 0.9, weight decay 1e-4, the given rate and schedule, 10 epochs (the CLI overrides epochs).
    static func recipe(_ rate: Float, _ schedule: LearningRateSchedule) -> TrainConfig {
        var config = TrainConfig()
        (config.epochs, config.learningRate, config.schedule, config.weightDecay, config.momentum) = (10, rate, schedule, 1e-4, 0.9)
        return config
    }
}
