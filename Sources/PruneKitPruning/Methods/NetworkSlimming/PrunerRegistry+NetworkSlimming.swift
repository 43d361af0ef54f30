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
        options: MethodOption.slimming, notes: MethodNotes.slimming, makePruner: { NetworkSlimmingPruner(importance: BatchNormScaleImportance(reduction: $0.reduction ?? .mean)) })
}

extension MethodOption {
    /// Network slimming's flags (baselines.md section 2).
    static let slimming: [MethodOption] = [
        MethodOption(method: "slimming", name: "slimming-penalty", help: "BN-scale L1 penalty lambda (default by family: 1e-4 VGG, 1e-5 ResNet/WRN; Liu et al. 2017)") {
            $0.slimming.penalty = Float(try number($1, name: "slimming-penalty", in: 0...1))
        },
        MethodOption(method: "slimming", name: "slimming-epochs", help: "Sparsity-training epochs before the threshold (default 10 from a trained model; paper: 160 from scratch)") {
            $0.slimming.training.epochs = try integer($1, name: "slimming-epochs", in: 0...100_000)
        },
    ]
}

/// Network slimming's defaults and where they depart from the paper (baselines.md section 5).
extension MethodNotes {
    static let slimming = """
    decisions (baselines.md section 5):
      - lambda by family: 1e-4 for VGG and plain chains (the paper's VGG value), 1e-5 for ResNet, WRN, ResNet-v2
        and graphs with an add node (the paper's ResNet-164/DenseNet-40 value); --slimming-penalty overrides.
      - sparsity training: the paper trains with the penalty from scratch, 160 epochs, lr 0.1 x0.1 at 50%/75%,
        batch 64. PruneKit's default starts from the trained checkpoint for 10 epochs, lr 0.01 cosine, wd 1e-4
        (a shortcut, not the paper): for the paper's protocol prune a freshly initialised checkpoint with
        --slimming-epochs 160.
      - threshold: global over |gamma| (keep |gamma| > thr); FLOPs/params targets search the threshold.
    """
}
