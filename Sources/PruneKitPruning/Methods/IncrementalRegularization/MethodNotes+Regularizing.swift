import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Decisions on increg.md's and sdprun.md's "[proposal]" and "not found" items (repeated from the pruners' doc
/// comments).
extension MethodNotes {
    static let regularizing: [String: String] = [
        "increg": """
        decisions (increg.md [proposal] / not found):
          - unit: filters by default (physical removal with BN channel and readers' inputs); --increg-unit columns
            regularises im2col columns of every conv as masks and removes an input channel (with its producer filter)
            once all its k*k columns are masked in its reading conv.
          - groups: every .layer group of the dependency graph; residual streams are never regularised (ResNets lose
            block-internal channels only).
          - per-layer ratio R_l: taken from --flops/--params/--ratio/--group-ratio through the uniform selector; column
            mode uses R = ratio, or 1 - fraction for FLOPs/params targets.
          - budget: --increg-epochs caps the regularisation (default 30, stops early when all layers are done); layers
            not done lose their highest-lambda survivors so the target is met (results: increg_pruned_at_budget).
          - ceiling: code-compatible tau_eff = min(tau*M(0.2), 10) = 2.452 tau; default tau 0.05 (LeNet-5 config).
          - retraining: the Caffe plateau schedule is replaced by --finetune-epochs with lr 0.001 (pass
            --finetune-schedule for x0.1 steps); CIFAR hyperparameters were not found.
          - the pruned filter's bias is neither regularised nor masked during regularisation (as the code); removal drops it.
        """,
        "sdprun": """
        decisions (sdprun.md [proposal] / not found):
          - groups: output channels of every .layer group (conv filter + bias, hidden linear neuron); classifier,
            residual-stream and shortcut convs ungrouped (plain SGD, threshold 0).
          - s_G = 1 (--sdprun-group-weight sqrt-size for sqrt|G|).
          - BatchNorm: option (a) default, filter (+bias) only; the BN+ReLU constant of a zero filter is folded into the
            readers' bias or BN running mean (exact for linear readers, except padded borders for convs, skipped on
            pre-activation WRN); --sdprun-group-bn true = option (b), exact removal.
          - c: group value not found; default 1e-2 from the spec's proposed sweep {1e-3, 3e-3, 1e-2, 3e-2}; mu 0.51,
            lr 0.1 constant, no momentum or weight decay (Dprun scripts); epochs 200 (proposal).
          - from scratch: the checkpoint's architecture is re-initialised (seed 1) before gRDA; --sdprun-from-scratch
            false starts from its weights.
          - targets: gRDA's zero groups are removed first; if --flops/--params/--ratio is still missed, the smallest-L2
            filters of the thresholded groups go too (--sdprun-meet-target false to report only). results:
            sdprun_zero_groups, sdprun_flops_ratio_after_grda, sdprun_extra_units_removed.
          - a layer never loses all groups: the one with the largest accumulator norm stays.
          - the paper does no fine-tuning: use --finetune-epochs 0 for its protocol.
        """,
    ]
}
