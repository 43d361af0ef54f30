import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// Iterative first-order Taylor pruning (Molchanov et al., ICLR 2017; `TaylorPruner`).
    static let taylor = PrunerRegistry.Entry(name: "taylor", summary: "First-order Taylor (Molchanov et al., ICLR 2017): iterative, SGD updates between removals, global",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { taylor($0) },
        settings: [TaylorPruner.Settings.self],
        options: MethodOption.taylor, makePruner: { TaylorPruner(importance: taylor($0)) })

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
    ]
}
