import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// Iterative first-order Taylor pruning (Molchanov et al., ICLR 2017; `TaylorPruner`).
    static let taylor = PrunerRegistry.Entry(name: "taylor", summary: "First-order Taylor (Molchanov et al., ICLR 2017): iterative, SGD updates between removals, global",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { taylor($0) },
        settings: [TaylorPruner.Settings.self],
        options: MethodOption.taylor, notes: MethodNotes.taylor, makePruner: { TaylorPruner(importance: taylor($0)) })

    /// Taylor's criterion with the configured reduction (default sum) and calibration batches.
    private static func taylor(_ config: PruningConfig) -> TaylorImportance {
        TaylorImportance(reduction: config.reduction ?? .sum, batchLimit: config.calibrationBatches)
    }
}

extension MethodOption {
    /// Taylor's flags (baselines.md section 3).
    static let taylor: [MethodOption] = [
        MethodOption(method: "taylor", name: "taylor-updates", help: "SGD updates between removals (default 10; Molchanov et al. 2017)") {
            $0.taylor.updatesPerStep = try integer($1, name: "taylor-updates", in: 0...1_000_000)
        },
        MethodOption(method: "taylor", name: "taylor-schedule", help: "Units removed per step: fraction (1% of the remaining, default; speed-up) or paper (one map per step; Molchanov et al. 2017)") {
            switch $1 {
            case "fraction": $0.taylor.unitsPerStep = nil
            case "paper": $0.taylor.unitsPerStep = 1
            default: throw PruneKitError.invalidParameter(name: "taylor-schedule", expected: "fraction or paper", found: "'\($1)'")
            }
        },
        MethodOption(method: "taylor", name: "taylor-fraction", help: "With --taylor-schedule fraction: share of the remaining units removed per step (default 0.01)") {
            $0.taylor.fractionPerStep = try number($1, name: "taylor-fraction", in: 1e-6...1)
        },
    ]
}

/// Taylor's removal schedule: which is the default and why (baselines.md section 3).
extension MethodNotes {
    static let taylor = """
    decisions (baselines.md section 3):
      - schedule: default --taylor-schedule fraction removes 1% of the remaining prunable units per step (at least
        one), re-scoring after each step: a speed-up, ~100x fewer steps on CIFAR ResNets. The paper's schedule, one
        feature map per N updates (N = --taylor-updates, 10), is --taylor-schedule paper.
      - ranking: global over groups, Theta L2-normalised per layer (the paper's normalisation); fine-tuning between
        removals is the N SGD updates at lr 0.001, momentum 0.9, wd 1e-4 (CIFAR proposal).
    """
}
