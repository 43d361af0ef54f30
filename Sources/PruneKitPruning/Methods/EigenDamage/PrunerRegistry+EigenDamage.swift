import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// EigenDamage (Wang et al., ICML 2019; `EigenDamagePruner`).
    static let eigenDamage = PrunerRegistry.Entry(name: "eigendamage",
        summary: "EigenDamage (Wang et al., ICML 2019): K-FAC eigenbasis, convs become rotation-core-rotation, eigen-directions pruned globally",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: nil,
        settings: [EigenDamagePruner.Settings.self], options: MethodOption.eigenDamage, notes: MethodNotes.eigenDamage,
        makePruner: { _ in EigenDamagePruner() })
}

extension MethodOption {
    /// EigenDamage's flags (eigendamage.md "Hyperparameters").
    static let eigenDamage: [MethodOption] = [
        MethodOption(method: "eigendamage", name: "eigendamage-fisher",
                     help: "Fisher labels: sampled (true Fisher) or empirical (default sampled; official configs fisher_type: true)") {
            $0.eigenDamage.fisherLabels = try FisherLabels(parsing: $1, option: "eigendamage-fisher")
        },
        MethodOption(method: "eigendamage", name: "eigendamage-batches",
                     help: "Training batches of K-FAC statistics per step (default: one full pass; Wang et al. 2019)") {
            $0.eigenDamage.statisticsBatches = try integer($1, name: "eigendamage-batches", in: 1...10_000_000)
        },
        MethodOption(method: "eigendamage", name: "eigendamage-ratio-limit",
                     help: "Largest fraction of a layer's input or output directions one step removes (default 0.95 one pass, 0.5 iterative; official prune_ratio_limit)") {
            $0.eigenDamage.ratioLimit = try number($1, name: "eigendamage-ratio-limit", in: 0.01...1)
        },
        MethodOption(method: "eigendamage", name: "eigendamage-step-epochs",
                     help: "Fine-tuning epochs between iterative steps (--steps > 1) at lr 1e-3 (default 0; the paper fine-tunes 150 epochs)") {
            $0.eigenDamage.epochsBetweenSteps = try integer($1, name: "eigendamage-step-epochs", in: 0...100_000)
        },
    ]
}

extension MethodNotes {
    /// EigenDamage's decisions on eigendamage.md's open points.
    static let eigenDamage = """
        [proposal] per-layer cap leaving no direction: the single most important direction is kept (the code keeps index 0, \
        the smallest-eigenvalue one).
        Decision: the per-layer cap removes at most floor(len * limit) directions of a side (the code's \
        sorted[floor(len * limit)] removes one more, contradicting the spec's "no layer loses more than half" test).
        [proposal] eigendecomposition in Float64 (LAPACK dsyevd); eigenvalues <= 1e-10 set to 0; no damping.
        Decision: the bias stays on rotation_out (exact, no border error), so A is collected without the bias column for \
        pruning (PatchCovariance supports the column).
        Decision: convolutions only (every conv but the last parameterised layer, shortcut projections included); linear \
        layers are not factorised (no factorised linear node yet), grouped and sparse convs are skipped.
        Decision: --flops / --params search the threshold whose bottleneck network meets the target (the paper sets the \
        ratio of directions, which --ratio gives); --steps T prunes to f^(t/T) at step t, --ratio r prunes r of the \
        remaining directions per step (the paper's iterative runs: 0.5 per step, cap 0.5, 7 steps).
        Not done: the "stabilize BN" pass after fine-tuning; statistics use the training loader as configured (the code: \
        augmented loader, eval mode).
        State_dict names of a factorised layer NAME: NAME.rotation_in.weight [r_in, C, 1, 1], NAME.core.weight \
        [r_out, r_in, K, K], NAME.rotation_out.weight [OC, r_out, 1, 1] (+ NAME.rotation_out.bias).
        """
}
