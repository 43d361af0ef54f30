import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// GReg-1 (Wang et al., ICLR 2021; `GrowingRegularizationPruner(isHessianAware: false)`).
    static let growingRegularization1 = PrunerRegistry.Entry(name: "greg-1", summary: "Growing regularization GReg-1 (Wang et al., ICLR 2021): rising L2 penalty on the lowest-L1 filters, then removal",
        isStructured: true, recommendedFineTuning: gregRecipe, criterion: { PrunerRegistry.magnitude(1, $0) },
        settings: [GrowingRegularizationPruner.Settings.self],
        options: MethodOption.growingRegularization, notes: MethodNotes.growingRegularization, makePruner: { _ in GrowingRegularizationPruner(isHessianAware: false) })

    /// GReg-2 (Wang et al., ICLR 2021; `GrowingRegularizationPruner(isHessianAware: true)`): shares GReg-1's options and notes.
    static let growingRegularization2 = PrunerRegistry.Entry(name: "greg-2", summary: "Growing regularization GReg-2 (Wang et al., ICLR 2021): uniform rising L2 first, select by the shrunk magnitudes",
        isStructured: true, recommendedFineTuning: gregRecipe, criterion: { PrunerRegistry.magnitude(1, $0) },
        settings: [GrowingRegularizationPruner.Settings.self],
        options: MethodOption.growingRegularization, notes: MethodNotes.growingRegularization, makePruner: { _ in GrowingRegularizationPruner(isHessianAware: true) })

    /// GReg's CIFAR fine-tuning (greg.md): SGD 0.9, wd 5e-4, lr {0: 1e-2, 60: 1e-3, 90: 1e-4}, 120 epochs.
    private static var gregRecipe: TrainConfig {
        var config = PrunerRegistry.recipe(0.01, .table([0: 0.01, 60: 0.001, 90: 0.0001]))
        (config.epochs, config.weightDecay) = (120, 5e-4)
        return config
    }
}

/// GReg-1/2's flags (greg.md "Hyperparameters"; the code's CIFAR values).
extension MethodOption {
    private static func greg(_ name: String, _ help: String, _ apply: @escaping (inout PruningConfig, String) throws -> Void) -> MethodOption {
        MethodOption(method: "greg-1,greg-2", name: name, help: help, apply: apply)
    }

    static let growingRegularization: [MethodOption] = [
        greg("greg-increment", "Penalty increment delta on the selected filters (default 1e-4; Wang et al. 2021)") {
            $0.growingRegularization.increment = try number($1, name: "greg-increment", in: 0...10)
        },
        greg("greg-interval", "Iterations K_u between penalty updates (default 10, CIFAR)") {
            $0.growingRegularization.updateInterval = try integer($1, name: "greg-interval", in: 1...1_000_000)
        },
        greg("greg-ceiling", "Penalty ceiling tau: growth stops once lambda > tau (default 1)") {
            $0.growingRegularization.ceiling = try number($1, name: "greg-ceiling", in: 0...1000)
        },
        greg("greg-ratio-limit", "Limit on h, the mean|kept|/mean|selected| EMA: GReg-1 stops when every layer reaches it, GReg-2 each layer on its own (default 1000)") {
            $0.growingRegularization.magnitudeRatioLimit = try number($1, name: "greg-ratio-limit", in: 1...1e30)
        },
        greg("greg-stabilize", "Iterations K_s with frozen penalty after growth (default 10000, CIFAR)") {
            $0.growingRegularization.stabilizeIterations = try integer($1, name: "greg-stabilize", in: 0...100_000_000)
        },
        greg("greg-pick-increment", "GReg-2 uniform increment delta_pick before selection (default 1e-5)") {
            $0.growingRegularization.pickIncrement = try number($1, name: "greg-pick-increment", in: 0...10)
        },
        greg("greg-pick-ceiling", "GReg-2 selects once lambda >= tau_pick (default 1e-2)") {
            $0.growingRegularization.pickCeiling = try number($1, name: "greg-pick-ceiling", in: 0...1000)
        },
        greg("greg-recover", "GReg-2 penalty of the kept filters after selection (default -1e-4)") {
            $0.growingRegularization.recoverPenalty = try number($1, name: "greg-recover", in: -1...1)
        },
        greg("greg-lr", "Constant learning rate of the regularization phase (default 1e-3)") {
            $0.growingRegularization.learningRate = Float(try number($1, name: "greg-lr", in: 0...10))
        },
        greg("greg-weight-decay", "Weight decay of the regularization phase (default 5e-4, CIFAR)") {
            $0.growingRegularization.weightDecay = Float(try number($1, name: "greg-weight-decay", in: 0...1))
        },
        greg("greg-epochs", "Cap on the regularization phase's epochs; the schedule normally ends it (default 1000; 0 = none)") {
            $0.growingRegularization.maximumEpochs = try integer($1, name: "greg-epochs", in: 0...100_000)
        },
    ]
}

/// GReg's decisions on greg.md's "[proposal]" and "not found" points (the pruner's doc comment says the same).
extension MethodNotes {
    static let growingRegularization = """
    Decisions (greg.md):
      not found (paper delta, K_u, tau, K_s): the code's CIFAR values 1e-4, 10, 1, 10000 are the defaults.
      not found (GReg-2 negative recover lambda in the paper): kept at -1e-4, as the code.
      [proposal] MNIST: lr 1e-3, --greg-stabilize 2000, fine-tune 30 epochs {0: 1e-2, 15: 1e-3, 25: 1e-4}.
      Only block-internal groups are pruned (ResNet: conv1 of each block; never the residual stream).
        Single-branch nets prune every conv/hidden layer, including the first (the paper's VGG setting skips
        it: --ignore features.0); LeNet-5 cannot reach 50% FLOPs without it.
      --ratio pr: n = min(ceil(pr N), N - 1) per group; --group-ratio layerS.B.conv1=r for stage ratios
        (ResNet-56: 0.75, 0.75, 0.32); --flops/--params: UnitSelector finds the uniform ratio over the
        eligible groups, L1-ranked.
      [proposal] folding relu(BN(0)) into the consumer bias: not done; stabilise + fine-tune absorb it.
      --greg-epochs caps the phase; a GReg-2 phase ending before tau_pick selects by the current magnitudes.
      stopping, as the reference code: GReg-1 (_inc_reg) layers stop at max lambda > tau, all together once every
        layer's h >= --greg-ratio-limit; GReg-2 (_ada_reg) each layer stops on its own once it has picked and
        (its own h >= the limit or its max lambda > tau); h accumulates while picking, over the current candidates.
    """
}
