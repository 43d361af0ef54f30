import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// SPP (Wang et al., BMVC 2018; `StructuredProbabilisticPruner`). Retraining: spp.md's proposal, lr 0.001, SGD
    /// momentum 0.9, weight decay 5e-4; its x0.1 at 50% depends on the epochs the CLI sets, so the recipe is constant and
    /// the notes name the `--finetune-schedule multi-step:E/2` to pass.
    static let structuredProbabilisticPruning = PrunerRegistry.Entry(name: "spp", summary: "SPP (Wang et al., BMVC 2018): rank-based pruning probabilities on im2col columns, Monte Carlo column masks while training, column records",
        isStructured: true, recommendedFineTuning: fineTuningRecipe,
        criterion: nil, settings: [StructuredProbabilisticPruner.Settings.self],
        options: MethodOption.structuredProbabilisticPruning, notes: MethodNotes.structuredProbabilisticPruning,
        makePruner: { config in
            try ColumnPruningTarget.validate(config.target)   // before the pipeline's first evaluation
            return StructuredProbabilisticPruner()
        })

    /// lr 0.001 constant, momentum 0.9, weight decay 5e-4 (spp.md's CIFAR proposal).
    private static var fineTuningRecipe: TrainConfig {
        var recipe = PrunerRegistry.recipe(0.001, .constant)
        recipe.weightDecay = 5e-4
        return recipe
    }
}

/// SPP's flags (spp.md "Hyper-parameters"), with the code's defaults.
extension MethodOption {
    /// SPP's flags.
    static let structuredProbabilisticPruning: [MethodOption] = [
        MethodOption(method: "spp", name: "spp-increment", help: "A, largest probability increment per update (default 0.05; Caffe AA)") {
            $0.structuredProbabilisticPruning.increment = try number($1, name: "spp-increment", in: 1e-9...1)
        },
        MethodOption(method: "spp", name: "spp-symmetry", help: "u = Delta(N_c)/A, sets the symmetry point, in (0, 1) (default 0.25; hard-coded in the 2018 code)") {
            $0.structuredProbabilisticPruning.symmetry = try number($1, name: "spp-symmetry", in: 1e-6...0.999_999)
        },
        MethodOption(method: "spp", name: "spp-interval", help: "T, iterations between probability updates (default 1; Caffe prune_interval)") {
            $0.structuredProbabilisticPruning.interval = try integer($1, name: "spp-interval", in: 1...1_000_000)
        },
        MethodOption(method: "spp", name: "spp-score-decay", help: "d, history decay of the column L1 score h = d h + s (default 0; final code, 0.9 in a 2018 version)") {
            $0.structuredProbabilisticPruning.scoreDecay = try number($1, name: "spp-score-decay", in: 0...0.999_999)
        },
        MethodOption(method: "spp", name: "spp-linear", help: "Linear increment A - (A/G) r instead of the exponential one (default false; Caffe PP-linear_Col)") {
            $0.structuredProbabilisticPruning.isLinear = try boolean($1, name: "spp-linear")
        },
        MethodOption(method: "spp", name: "spp-rescale", help: "Multiply surviving columns by 1 - p when a layer finishes (default false; 2018 code, the 2017 code did)") {
            $0.structuredProbabilisticPruning.rescalesAtFinish = try boolean($1, name: "spp-rescale")
        },
        MethodOption(method: "spp", name: "spp-epochs", help: "Cap on pruning-phase epochs; stops as soon as every layer is finished (default 30; not found, spp.md proposal)") {
            $0.structuredProbabilisticPruning.training.epochs = try integer($1, name: "spp-epochs", in: 0...100_000)
        },
        MethodOption(method: "spp", name: "spp-iterations", help: "Cap on pruning-phase iterations, 0 = none (default 0)") {
            let limit = try integer($1, name: "spp-iterations", in: 0...100_000_000)
            $0.structuredProbabilisticPruning.iterationLimit = limit == 0 ? nil : limit
        },
        MethodOption(method: "spp", name: "spp-lr", help: "Constant learning rate of the pruning phase, SGD momentum 0.9 (default 0.001; not found, spp.md CIFAR proposal)") {
            $0.structuredProbabilisticPruning.training.learningRate = Float(try number($1, name: "spp-lr", in: 0...10))
        },
        MethodOption(method: "spp", name: "spp-weight-decay", help: "Weight decay of the pruning phase (default 5e-4; spp.md CIFAR proposal)") {
            $0.structuredProbabilisticPruning.training.weightDecay = Float(try number($1, name: "spp-weight-decay", in: 0...1))
        },
    ]
}

/// SPP's decisions on spp.md's "[proposal]" and "not found" points (repeated from the pruner's doc comment).
extension MethodNotes {
    static let structuredProbabilisticPruning = """
    decisions (spp.md [proposal] / not found):
      - layers: every conv except the first; classifier and linear layers untouched.
      - targets: --ratio R = column ratio per conv (ceil(R N_g) columns each); --flops F = one R for all pruned
        convs with R = (1 - F) T / P_f (T model FLOPs, P_f FLOPs of the pruned convs; a conv's FLOPs scale with its
        kept columns), so the result is at most F T; --params is rejected.
      - mask: forward and backward with W * m; the loss gradient of W is multiplied by m; the optimizer then adds
        weight decay and momentum to the restored weights; P is re-zeroed after every step.
      - p >= 1 - 1e-6 counts as 1; G = ceil(R N_g) - |P|, ranks over the unpruned columns (the code's version).
      - masks: SplitMix64 seeded with --seed, one uniform per unpruned column, layer then column order.
      - pruning phase (not found): constant lr 0.001, SGD momentum 0.9, weight decay 5e-4, at most --spp-epochs 30
        (and --spp-iterations), ending as soon as every layer is finished.
      - budget: layers not finished when the phase ends get their highest-p columns (then lowest L1 norm) added to
        P (results: spp_pruned_at_budget); --spp-epochs 0 is then column L1-norm pruning.
      - no rescale at finish (2018 code); --spp-rescale true multiplies survivors by 1 - p (2017 code).
      - channel removal: once, after the phase: an input channel whose k*k columns are all pruned in every conv
        reading it leaves with its producer filter and BN channel, only on plain conv-BN-ReLU-conv links, never
        in a residual stream (the first conv may lose filters this way; lossless).
      - result: every pruned conv carries SparsityRecord.columns(kept:) (column c k k + tap), saved in the
        checkpoint; FLOPs and parameters count kept columns.
      - retraining (spp.md proposal: 40 epochs, 0.001 -> 0.0001 at 50%, wd 5e-4): --finetune-epochs 40
        --finetune-schedule multi-step:20 (the recipe is lr 0.001 constant, momentum 0.9, wd 5e-4).
    """
}
