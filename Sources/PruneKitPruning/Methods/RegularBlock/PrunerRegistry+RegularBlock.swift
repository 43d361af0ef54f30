import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// Block-max weight masking with one block size (Ren et al., AAAI 2020; `RegularBlockPruner`).
    static let blockMaxWeightMasking = PrunerRegistry.Entry(name: "bmwm",
        summary: "Block-max weight masking (Ren et al., AAAI 2020): one kept weight per block of b, regular-block records",
        isStructured: false, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: nil,
        settings: [RegularBlockPruner.Settings.self], options: MethodOption.regularBlock,
        notes: RegularBlockPruner.notes, makePruner: { _ in RegularBlockPruner(densityAdaptive: false) })

    /// DARB: density-adaptive regular blocks (Ren et al., AAAI 2020; `RegularBlockPruner`).
    static let densityAdaptiveRegularBlock = PrunerRegistry.Entry(name: "darb",
        summary: "DARB (Ren et al., AAAI 2020): per-row block size from row density, block-max masks, regular-block records",
        isStructured: false, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: nil,
        settings: [RegularBlockPruner.Settings.self], options: MethodOption.regularBlock.filter { $0.applies(to: "darb") },
        notes: RegularBlockPruner.notes, makePruner: { _ in RegularBlockPruner(densityAdaptive: true) })
}

extension RegularBlockPruner {
    /// The decisions `methods --detail darb|bmwm` prints.
    static let notes = """
        Target: keep ratio rho over the pruned layers, the same in every layer: --compression F (rho = 1/F; the paper's range \
        is 13-25x), or --ratio s (rho = 1 - s) or --params f; --flops is refused. bmwm with --block-size needs no target. \
        Layers: every conv (as [N_out, C_in k k], im2col order) and linear layer except the first conv; the classifier only \
        with >= 256 inputs (--darb-classifier-min-inputs). DARB sizes (darb.md [proposal]): row density d_r from magnitude \
        pruning of the layer at rho, b_r = 2^round(log2(1/max(d_r, 1/64))) in {1..64}, then the budget fix-up (double the \
        sparsest rows' b while over budget, halve the densest rows' b while a halving fits), then block-max masks on the \
        original weights. Ties: lowest index; partial last blocks keep one entry; masks are fixed during fine-tuning \
        (lr 0.001, the paper's lr/10 is not known). --darb-steps n: n prune-retrain rounds (darb.md step 6), round k keeping \
        rho^(k/n), with --darb-step-epochs (default 2, lr 0.01 cosine) of masked retraining between rounds. Records: \
        SparsityRecord.blocks on each pruned node.
        """
}

extension MethodOption {
    /// BMWM's and DARB's flags.
    static let regularBlock: [MethodOption] = [
        MethodOption(method: "bmwm", name: "block-size", help: "BMWM block size b, one kept weight per b (default: 2^round(log2(1/rho)) from the target; Ren et al. 2020)") {
            $0.regularBlock.blockSize = try integer($1, name: "block-size", in: 1...RegularBlockMatrix.maximumBlockSize)
        },
        MethodOption(method: "bmwm,darb", name: "compression", help: "Target compression F = weights / kept weights of the pruned layers (paper: 13-25x; instead of --ratio/--params)") {
            $0.regularBlock.compression = try number($1, name: "compression", in: 1...1_000_000)
        },
        MethodOption(method: "bmwm,darb", name: "darb-classifier-min-inputs", help: "Prune the classifier only if it has at least this many inputs (default 256; darb.md proposal)") {
            $0.regularBlock.classifierMinimumInputs = try integer($1, name: "darb-classifier-min-inputs", in: 0...Int(Int32.max))
        },
        MethodOption(method: "bmwm,darb", name: "darb-steps", help: "Prune-retrain rounds to the target at geometrically growing compression (default 1; darb.md step 6)") {
            $0.regularBlock.steps = try integer($1, name: "darb-steps", in: 1...100)
        },
        MethodOption(method: "bmwm,darb", name: "darb-step-epochs", help: "Retraining epochs between rounds, lr 0.01 cosine (default 2; not in the paper)") {
            $0.regularBlock.retraining.epochs = try integer($1, name: "darb-step-epochs", in: 0...100_000)
        },
        MethodOption(method: "bmwm,darb", name: "darb-first-conv", help: "Prune the first convolution too: true or false (default false; darb.md proposal)") {
            $0.regularBlock.includesFirstConvolution = try boolean($1, name: "darb-first-conv")
        },
    ]
}
