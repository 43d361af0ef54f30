import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// IncReg (Wang et al., IJCNN 2019; `IncrementalRegularizationPruner`).
    static let incrementalRegularization = PrunerRegistry.Entry(name: "increg", summary: "IncReg (Wang et al., IJCNN 2019): rank-based growing per-filter L2 penalty until the ceiling, then removal",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant),
        criterion: { PrunerRegistry.magnitude(1, $0) }, settings: [IncrementalRegularizationPruner.Settings.self],
        options: MethodOption.incrementalRegularization, notes: MethodNotes.incrementalRegularization, makePruner: { _ in IncrementalRegularizationPruner() })
}

/// IncReg's flags (increg.md), with the papers' and code's defaults.
extension MethodOption {
    /// IncReg's flags.
    static let incrementalRegularization: [MethodOption] = [
        MethodOption(method: "increg", name: "increg-unit", help: "Group: filters (physical) or columns (im2col, masks) (default filters; code default columns)") {
            guard let unit = IncrementalRegularizationPruner.Unit(rawValue: $1) else {
                throw PruneKitError.invalidParameter(name: "increg-unit", expected: "filters or columns", found: "'\($1)'")
            }
            $0.incrementalRegularization.unit = unit
        },
        MethodOption(method: "increg", name: "increg-increment", help: "Unit increment A of lambda per iteration (default 2.5e-4; Wang et al. code)") {
            $0.incrementalRegularization.unitIncrement = try number($1, name: "increg-increment", in: 1e-12...100)
        },
        MethodOption(method: "increg", name: "increg-configuration", help: "Defaults for tau and lr: lenet-mnist or cifar (default: lenet-mnist without BN on 1-channel input, else cifar)") {
            guard let configuration = IncrementalRegularizationPruner.Configuration(rawValue: $1) else {
                throw PruneKitError.invalidParameter(name: "increg-configuration", expected: "lenet-mnist or cifar", found: "'\($1)'")
            }
            $0.incrementalRegularization.configuration = configuration
        },
        MethodOption(method: "increg", name: "increg-ceiling", help: "Ceiling tau as configured (default by configuration: 0.05 LeNet-5 config, 2.5 CIFAR proposal = VGG16/ResNet-50 config)") {
            $0.incrementalRegularization.ceiling = try number($1, name: "increg-ceiling", in: 1e-12...1e6)
        },
        MethodOption(method: "increg", name: "increg-code-ceiling", help: "Scale tau as the code does, min(tau*2.452, 10) (default true)") {
            $0.incrementalRegularization.scalesCeilingAsCode = try boolean($1, name: "increg-code-ceiling")
        },
        MethodOption(method: "increg", name: "increg-epochs", help: "Cap on regularisation epochs; stops early when all layers are done (default 30)") {
            $0.incrementalRegularization.training.epochs = try integer($1, name: "increg-epochs", in: 0...100_000)
        },
        MethodOption(method: "increg", name: "increg-lr", help: "Learning rate while regularising, constant, momentum 0.9 (default by configuration: 5e-4 LeNet-5, 0.005 CIFAR; code: original/20)") {
            $0.incrementalRegularization.learningRate = Float(try number($1, name: "increg-lr", in: 0...10))
        },
        MethodOption(method: "increg", name: "increg-weight-decay", help: "Weight decay while regularising (default 2.5e-4; code: original/2)") {
            $0.incrementalRegularization.training.weightDecay = Float(try number($1, name: "increg-weight-decay", in: 0...1))
        },
    ]
}

/// IncReg's decisions on increg.md's "[proposal]" and "not found" items (repeated from the pruner's doc comment).
extension MethodNotes {
    static let incrementalRegularization = """
    decisions (increg.md [proposal] / not found):
      - unit: filters by default (physical removal with BN channel and readers' inputs); --increg-unit columns
        regularises im2col columns of every conv as masks and removes an input channel (with its producer filter)
        once all its k*k columns are masked in its reading conv.
      - groups: every .layer group of the dependency graph; residual streams are never regularised (ResNets lose
        block-internal channels only).
      - per-layer ratio R_l: taken from --flops/--params/--ratio/--group-ratio through the uniform selector; column
        mode uses R = ratio, or 1 - fraction for FLOPs/params targets.
      - budget: --increg-epochs caps the regularisation (default 30, stops early when all layers are done); layers
        not done lose their highest-lambda survivors so the target is met (results: increg_pruned_at_budget); ties
        (with --increg-epochs 0 every lambda is 0) go by average rank, then smallest L1 norm (Li et al.), never by index.
      - defaults per configuration, chosen from the model (--increg-configuration to force one):
          lenet-mnist: tau 0.05, lr 5e-4 (the official LeNet-5 config) for networks without BatchNorm on 1-channel
            input (LeNet-5, MLPs on MNIST);
          cifar: tau 2.5, lr 0.005 (increg.md proposal: tau_cfg = 1e4 A, lr = 0.1/20; no CIFAR config shipped) for
            everything else (VGG, ResNet, WRN, colour input). Under it groups reach the ceiling about 50x later.
        --increg-ceiling and --increg-lr override either.
      - ceiling: code-compatible tau_eff = min(tau*M(0.2), 10) = 2.452 tau (0.1226 LeNet-5, 6.13 CIFAR).
      - retraining: the Caffe plateau schedule is replaced by --finetune-epochs with lr 0.001 (pass
        --finetune-schedule for x0.1 steps); CIFAR hyperparameters were not found.
      - the pruned filter's bias is neither regularised nor masked during regularisation (as the code); removal drops it.
    """
}
