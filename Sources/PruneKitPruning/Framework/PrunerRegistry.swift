import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The one list of pruning methods (STYLE.md rule 11: an explicit table, no reflection). The CLI's `--method`,
/// `prune-cli methods` and the registry-wide tests all read `entries`; a method appears here only once it is
/// implemented.
///
/// ```swift
/// for entry in PrunerRegistry.entries { print(entry.name, "-", entry.summary) }
/// let pruner = try PrunerRegistry.makePruner(named: "l1", config: config)
/// ```
public enum PrunerRegistry {
    /// One method.
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
        /// Builds a fresh pruner.
        public let makePruner: (PruningConfig) throws -> Pruner
    }

    /// Every method, in the order `methods` lists them.
    public static let entries: [Entry] = [
        Entry(name: "l1", summary: "L1-norm filter pruning (Li et al., ICLR 2017): one shot, drop the filters with the smallest sum |w|",
              isStructured: true, recommendedFineTuning: recipe(0.001, .constant), criterion: { magnitude(1, $0) },
              makePruner: { CriterionPruner(importance: magnitude(1, $0)) }),
        Entry(name: "l2", summary: "L2-norm filter pruning: one shot, drop the filters with the smallest L2 norm",
              isStructured: true, recommendedFineTuning: recipe(0.001, .constant), criterion: { magnitude(2, $0) },
              makePruner: { CriterionPruner(importance: magnitude(2, $0)) }),
        Entry(name: "random", summary: "Random channels: the control baseline (Liu et al., ICLR 2019)",
              isStructured: true, recommendedFineTuning: recipe(0.001, .constant), criterion: { RandomImportance(seed: $0.seed) },
              makePruner: { CriterionPruner(importance: RandomImportance(seed: $0.seed), defaultNormalization: .none) }),
        Entry(name: "taylor", summary: "First-order Taylor (Molchanov et al., ICLR 2017): iterative, SGD updates between removals, global",
              isStructured: true, recommendedFineTuning: recipe(0.001, .constant), criterion: { taylor($0) },
              makePruner: { TaylorPruner(importance: taylor($0)) }),
        Entry(name: "slimming", summary: "Network slimming (Liu et al., ICCV 2017): BN-scale L1 sparsity training, then a global |gamma| threshold",
              isStructured: true, recommendedFineTuning: recipe(0.01, .cosine),
              criterion: { BatchNormScaleImportance(reduction: $0.reduction ?? .mean) },
              makePruner: { NetworkSlimmingPruner(importance: BatchNormScaleImportance(reduction: $0.reduction ?? .mean)) }),
        Entry(name: "magnitude", summary: "Magnitude weight pruning with retraining (Han et al., NeurIPS 2015): unstructured masks",
              isStructured: false, recommendedFineTuning: recipe(0.001, .constant), criterion: nil,
              makePruner: { _ in MagnitudeWeightPruner() }),
        Entry(name: "deep-compression", summary: "Deep Compression (Han et al., ICLR 2016): magnitude pruning, k-means sharing, Huffman-coded size",
              isStructured: false, recommendedFineTuning: recipe(0.001, .constant), criterion: nil,
              makePruner: { _ in DeepCompressionPruner() }),
        Entry(name: "sfp", summary: "Soft filter pruning (He et al., IJCAI 2018): zero the lowest-L2 filters every epoch, keep training them, remove at the end",
              isStructured: true, recommendedFineTuning: recipe(0.001, .constant), criterion: { magnitude(2, $0) },
              makePruner: { _ in SoftFilterPruner() }),
        Entry(name: "greg-1", summary: "Growing regularization GReg-1 (Wang et al., ICLR 2021): rising L2 penalty on the lowest-L1 filters, then removal",
              isStructured: true, recommendedFineTuning: gregRecipe, criterion: { magnitude(1, $0) },
              makePruner: { _ in GrowingRegularizationPruner(isHessianAware: false) }),
        Entry(name: "greg-2", summary: "Growing regularization GReg-2 (Wang et al., ICLR 2021): uniform rising L2 first, select by the shrunk magnitudes",
              isStructured: true, recommendedFineTuning: gregRecipe, criterion: { magnitude(1, $0) },
              makePruner: { _ in GrowingRegularizationPruner(isHessianAware: true) }),
        Entry(name: "increg", summary: "IncReg (Wang et al., IJCNN 2019): rank-based growing per-filter L2 penalty until the ceiling, then removal",
              isStructured: true, recommendedFineTuning: recipe(0.001, .constant),
              criterion: { magnitude(1, $0) }, makePruner: { _ in IncrementalRegularizationPruner() }),
        Entry(name: "sdprun", summary: "sDprun (Li et al., 2021): group gRDA training from scratch zeroes whole filters, which are removed",
              isStructured: true, recommendedFineTuning: recipe(0.01, .cosine), criterion: { magnitude(2, $0) },
              makePruner: { _ in StructuredDirectionalPruner() }),
    ]

    /// GReg's CIFAR fine-tuning (greg.md): SGD 0.9, wd 5e-4, lr {0: 1e-2, 60: 1e-3, 90: 1e-4}, 120 epochs.
    private static var gregRecipe: TrainConfig {
        var config = recipe(0.01, .table([0: 0.01, 60: 0.001, 90: 0.0001]))
        (config.epochs, config.weightDecay) = (120, 5e-4)
        return config
    }

    /// Method names, in order.
    public static var names: [String] { entries.map(\.name) }

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

    private static func magnitude(_ norm: Int, _ config: PruningConfig) -> Importance {
        MagnitudeImportance(norm: norm, reduction: config.reduction ?? .sum)
    }

    private static func taylor(_ config: PruningConfig) -> TaylorImportance {
        TaylorImportance(reduction: config.reduction ?? .sum, batchLimit: config.calibrationBatches)
    }

    /// Momentum 0.9, weight decay 1e-4, the given rate and schedule, 10 epochs (the CLI overrides epochs).
    private static func recipe(_ rate: Float, _ schedule: LearningRateSchedule) -> TrainConfig {
        var config = TrainConfig()
        (config.epochs, config.learningRate, config.schedule, config.weightDecay, config.momentum) = (10, rate, schedule, 1e-4, 0.9)
        return config
    }
}
