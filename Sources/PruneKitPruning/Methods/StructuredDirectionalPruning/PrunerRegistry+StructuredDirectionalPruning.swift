import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// sDprun (Li et al., 2021; `StructuredDirectionalPruner` with the gRDA solver `GroupRegularizedDualAveraging`).
    static let directionalPruning = PrunerRegistry.Entry(name: "sdprun", summary: "sDprun (Li et al., 2021): group gRDA training from scratch zeroes whole filters, which are removed",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.01, .cosine), criterion: { PrunerRegistry.magnitude(2, $0) },
        settings: [StructuredDirectionalPruner.Settings.self],
        options: MethodOption.directionalPruning, notes: MethodNotes.directionalPruning, makePruner: { _ in StructuredDirectionalPruner() })
}

/// sDprun's flags (sdprun.md), with the papers' and scripts' defaults.
extension MethodOption {
    /// sDprun's flags.
    static let directionalPruning: [MethodOption] = [
        MethodOption(method: "sdprun", name: "sdprun-c", help: "Threshold scale c (default 1e-2; group value not found, spec sweep 1e-3..3e-2)") {
            $0.directionalPruning.scale = try number($1, name: "sdprun-c", in: 0...100)
        },
        MethodOption(method: "sdprun", name: "sdprun-mu", help: "Threshold growth exponent mu, 0.5 < mu < 1 (default 0.51; Dprun/gRDA)") {
            $0.directionalPruning.exponent = try number($1, name: "sdprun-mu", in: 0.5...1)
        },
        MethodOption(method: "sdprun", name: "sdprun-lr", help: "gRDA learning rate, constant, no momentum or weight decay (default 0.1; Dprun scripts)") {
            $0.directionalPruning.training.learningRate = Float(try number($1, name: "sdprun-lr", in: 0...10))
        },
        MethodOption(method: "sdprun", name: "sdprun-epochs", help: "gRDA training epochs (default 200; spec proposal, Dprun uses 200-600)") {
            $0.directionalPruning.training.epochs = try integer($1, name: "sdprun-epochs", in: 0...100_000)
        },
        MethodOption(method: "sdprun", name: "sdprun-group-weight", help: "s_G: unit or sqrt-size (default unit; not found, proposal)") {
            switch $1 {
            case "unit": $0.directionalPruning.weighting = .unit
            case "sqrt-size": $0.directionalPruning.weighting = .squareRootOfSize
            default: throw PruneKitError.invalidParameter(name: "sdprun-group-weight", expected: "unit or sqrt-size", found: "'\($1)'")
            }
        },
        MethodOption(method: "sdprun", name: "sdprun-group-bn", help: "Put BN gamma/beta in the filter's group, option (b) (default false)") {
            $0.directionalPruning.groupsBatchNorm = try boolean($1, name: "sdprun-group-bn")
        },
        MethodOption(method: "sdprun", name: "sdprun-from-scratch", help: "Re-initialise the checkpoint's architecture before gRDA (default true; paper)") {
            $0.directionalPruning.fromScratch = try boolean($1, name: "sdprun-from-scratch")
        },
        MethodOption(method: "sdprun", name: "sdprun-meet-target", help: "With a target: top up by smallest-L2 filters when the zero groups miss it (default true; not in the paper)") {
            $0.directionalPruning.meetsTarget = try boolean($1, name: "sdprun-meet-target")
        },
    ]
}

/// sDprun's decisions on sdprun.md's "[proposal]" and "not found" items (repeated from the pruner's doc comment).
extension MethodNotes {
    static let directionalPruning = """
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
      - target: none by default (the paper's form): sparsity comes from c, mu, lr and epochs, gRDA's zero groups
        are removed and the report says what that reached (sdprun_flops_ratio_after_grda, ..._parameter_ratio_...).
        With --flops/--params/--ratio, if the zero groups miss it, the smallest-L2 filters of the thresholded groups
        are removed too: a top-up, which is no longer sDprun (--sdprun-meet-target false to report only). The text
        and JSON reports separate them: sdprun_groups_removed_by_grda, sdprun_groups_removed_by_top_up.
      - a layer never loses all groups: the one with the largest accumulator norm stays.
      - the paper does no fine-tuning: use --finetune-epochs 0 for its protocol.
    """
}
