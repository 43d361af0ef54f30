import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// Soft filter pruning (He et al., IJCAI 2018; `SoftFilterPruner`).
    static let softFilter = PrunerRegistry.Entry(name: "sfp", summary: "Soft filter pruning (He et al., IJCAI 2018): zero the lowest-L2 filters every epoch, keep training them, remove at the end",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { PrunerRegistry.magnitude(2, $0) },
        settings: [SoftFilterPruner.Settings.self],
        options: MethodOption.softFilter, notes: MethodNotes.softFilter, makePruner: { _ in SoftFilterPruner() })
}

/// SFP's flags (sfp.md "Hyper-parameters / defaults"; CIFAR values).
extension MethodOption {
    static let softFilter: [MethodOption] = [
        MethodOption(method: "sfp", name: "sfp-epochs", help: "Soft-pruning epochs E (default 200; He et al. 2018, CIFAR; 0 = mask once and prune)") {
            $0.softFilter.epochs = try integer($1, name: "sfp-epochs", in: 0...100_000)
        },
        MethodOption(method: "sfp", name: "sfp-interval", help: "Epochs between masks T_p (default 1; last epoch always masked)") {
            $0.softFilter.interval = try integer($1, name: "sfp-interval", in: 1...100_000)
        },
        MethodOption(method: "sfp", name: "sfp-lr", help: "Base learning rate, x10 at epoch 1, x0.2 at 60/120/160 (default 0.001 from a trained model; 0.01 from scratch)") {
            $0.softFilter.learningRate = Float(try number($1, name: "sfp-lr", in: 0...10))
        },
        MethodOption(method: "sfp", name: "sfp-residual",
                     help: "Residual streams: stream (default: one group per stream, zeroed and removed in every producer) or per-conv (the paper's form: stem and each block's conv2 ranked alone, compact model keeps the stream full width with a scatter; --ratio only)") {
            guard let mode = SoftFilterPruner.ResidualMode(rawValue: $1) else {
                throw PruneKitError.invalidParameter(name: "sfp-residual", expected: "stream or per-conv", found: "'\($1)'")
            }
            $0.softFilter.residual = mode
        },
        MethodOption(method: "sfp", name: "sfp-weight-decay", help: "SGD (Nesterov 0.9) weight decay during soft pruning (default 5e-4)") {
            $0.softFilter.weightDecay = Float(try number($1, name: "sfp-weight-decay", in: 0...1))
        },
    ]
}

/// SFP's decisions on sfp.md's "[proposal]" and "not found" points (the pruner's doc comment says the same).
extension MethodNotes {
    static let softFilter = """
    Decisions (sfp.md):
      Residual streams (--sfp-residual). Default `stream` (PruneKit's form): a stream (stem, every conv2 of the
        stage, their readers) is one group ranked by the L2 norm over all its producers; the same stream channels
        are zeroed and finally removed. `per-conv` is the paper's form: the stem and each block's conv2 are ranked
        and zeroed alone (floor(N P) each; needs --ratio); the compact model narrows them and scatters their kept
        channels into the full-width stream, removed channels filled with the eval-mode BN constant
        beta - gamma mu / sqrt(var + eps), so it computes what the masked model computes (spec test 7a). 1x1
        projection shortcuts stay dense (skip_downsample). SoftFilterFlops is the paper's formula; --flops
        targets (stream mode) are measured on PruneKit's compact model.
        --ignore layer1,layer2,layer3 restricts SFP to block-internal channels.
      [proposal] VGG/MLP: same P for every conv and hidden linear layer (row L2 norm); classifier never pruned.
      --ratio P zeroes floor(N P) per group; --flops/--params: UnitSelector finds the uniform ratio meeting
        the budget (L2 ranking at the start); the per-group counts then stay fixed every epoch.
      Hard prune drops the zeroed filters' eval-mode BN constants (exact only where ReLU kills them).
      Runs start from the checkpoint (the paper's "pretrained" setting); no fine-tuning in the paper.
    """
}
