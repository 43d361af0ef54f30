import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// SFP's and GReg's decisions on their specs' "[proposal]" and "not found" points (the pruners' doc comments
/// say the same).
extension MethodNotes {
    static let softAndGrowing: [String: String] = [
        "sfp": """
        Decisions (sfp.md):
          [proposal] CIFAR ResNet compact model: groups, not lone convs. A residual stream (stem, every conv2 of the
            stage, their readers) is one group ranked by the L2 norm over all its producers; the same stream channels
            are zeroed and finally removed. The paper's scatter-add + BN-constant compact model is not built, so its
            FLOPs formula (SoftFilterFlops) describes the paper's model, and --flops is measured on ours.
            --ignore layer1,layer2,layer3 restricts SFP to block-internal channels.
          [proposal] VGG/MLP: same P for every conv and hidden linear layer (row L2 norm); classifier never pruned.
          --ratio P zeroes floor(N P) per group; --flops/--params: UnitSelector finds the uniform ratio meeting
            the budget (L2 ranking at the start); the per-group counts then stay fixed every epoch.
          Hard prune drops the zeroed filters' eval-mode BN constants (exact only where ReLU kills them).
          Runs start from the checkpoint (the paper's "pretrained" setting); no fine-tuning in the paper.
        """,
        "greg-1": gregNotes,
        "greg-2": gregNotes,
    ]

    private static let gregNotes = """
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
    """
}
