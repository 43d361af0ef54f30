import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// Network slimming (Liu et al., ICCV 2017; `NetworkSlimmingPruner`).
    static let slimming = PrunerRegistry.Entry(name: "slimming", summary: "Network slimming (Liu et al., ICCV 2017): BN-scale L1 sparsity training, then a global |gamma| threshold",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.01, .cosine),
        criterion: { BatchNormScaleImportance(reduction: $0.reduction ?? .mean) },
        settings: [NetworkSlimmingPruner.Settings.self],
        options: MethodOption.slimming, makePruner: { NetworkSlimmingPruner(importance: BatchNormScaleImportance(reduction: $0.reduction ?? .mean)) })
}

extension MethodOption {
    /// Network slimming's flags (baselines.md section 2).
    static let slimming: [MethodOption] = [
        MethodOption(method: "slimming", name: "slimming-penalty", help: "BN-scale L1 penalty lambda (default 1e-5; Liu et al. 2017)") {
            $0.slimming.penalty = Float(try number($1, name: "slimming-penalty", in: 0...1))
        },
        MethodOption(method: "slimming", name: "slimming-epochs", help: "Sparsity-training epochs before the threshold (default: the method's recipe)") {
            $0.slimming.training.epochs = try integer($1, name: "slimming-epochs", in: 0...100_000)
        },
    ]
}
