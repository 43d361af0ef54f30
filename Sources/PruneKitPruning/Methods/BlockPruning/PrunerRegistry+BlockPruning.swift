import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// BPCP (Huang & Wang, JIFS 2020; `BlockChannelPruner`): the block search, block removal, fine-tuning, channel
    /// pruning by BN |gamma|; the pipeline's fine-tuning follows (the code's `finetune2.py`: lr 0.1, x0.1 at 80, 120).
    static let blockChannelPruning = PrunerRegistry.Entry(name: "bpcp",
        summary: "BPCP (Huang & Wang, JIFS 2020): learned Bernoulli block gates remove residual blocks, then BN-|gamma| channel pruning (--ratio = its budget)",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.1, .multiStep(milestones: [80, 120], gamma: 0.1)),
        criterion: { _ in BatchNormScaleImportance(reduction: .max) },
        settings: [BlockChannelPruner.Settings.self],
        options: MethodOption.blockPruning, notes: MethodNotes.blockPruning, makePruner: { _ in BlockChannelPruner() })
}

/// BPCP's flags (bpcp.md; code `config.py`, `block_prune_v2.py`, `finetune.py`).
extension MethodOption {
    static let blockPruning: [MethodOption] = [
        MethodOption(method: "bpcp", name: "bpcp-search-epochs", help: "Block-search epochs from the trained model (default 40; [proposal], not found in the code; 0 keeps every block)") {
            $0.blockPruning.searchEpochs = try integer($1, name: "bpcp-search-epochs", in: 0...100_000)
        },
        MethodOption(method: "bpcp", name: "bpcp-search-lr", help: "Weights' learning rate during the search, x0.1 at 75% (default 0.01; [proposal])") {
            $0.blockPruning.searchLearningRate = Float(try number($1, name: "bpcp-search-lr", in: 0...10))
        },
        MethodOption(method: "bpcp", name: "bpcp-gate-penalty", help: "L1 gate penalty gamma in CE + gamma sum|g| (default 0.05; config.gamma)") {
            $0.blockPruning.gatePenalty = Float(try number($1, name: "bpcp-gate-penalty", in: 0...100))
        },
        MethodOption(method: "bpcp", name: "bpcp-gate-lr", help: "Learning rate of the block logits' own SGD, constant (default 0.1; momentum 0.9, no weight decay; block_prune_v2.py)") {
            $0.blockPruning.gateLearningRate = Float(try number($1, name: "bpcp-gate-lr", in: 0...100))
        },
        MethodOption(method: "bpcp", name: "bpcp-block-finetune-epochs", help: "Fine-tuning epochs after block removal, before channel pruning (default 10; finetune.py)") {
            $0.blockPruning.blockFineTuningEpochs = try integer($1, name: "bpcp-block-finetune-epochs", in: 0...100_000)
        },
        MethodOption(method: "bpcp", name: "bpcp-block-finetune-lr", help: "Their learning rate, constant (default 0.001; finetune.py)") {
            $0.blockPruning.blockFineTuningLearningRate = Float(try number($1, name: "bpcp-block-finetune-lr", in: 0...10))
        },
    ]
}

/// BPCP's decisions on bpcp.md's "[proposal]" and "not found" points (the pruner's doc comment says the same).
extension MethodNotes {
    static let blockPruning = """
    Decisions (bpcp.md):
      Search length: not found (the code runs zero search epochs as committed). [proposal] 40 epochs from the
        trained model, weights lr 0.01 x0.1 at 75%, momentum 0.9, wd 1e-4; logits lr 0.1 constant (the code's
        decay never reached the logit optimizer), momentum 0.9, wd 0. Gates are drawn from --seed.
      Gates: one per removable residual block (NetworkGraph.residualJoins), on the output of the branch's last
        parameterised layer (bn2 of a basic block, conv3 of ResNet-v2). Decision sigmoid(alpha) >= 0.5, as alpha >= 0.
      Removed blocks leave nothing behind; a stage's first block keeps its projection (or option-A pad). Kept blocks
        keep their original names: indices are not renumbered (layer1.3 stays layer1.3 when layer1.2 goes), and
        PyTorch loads the checkpoint strictly from the graph (Scripts/pytorch_graph_model.py).
      Targets: --ratio R is CP's budget int(total BN channels * R) (code percent 0.2; Table 2 uses 0.3-0.5); --ratio 0
        is block pruning alone. --flops/--params F: the block decision is the search's own; CP then removes the
        globally lowest units until the model is at F of the dense cost (nothing if BP already got there).
      CP never empties a layer: [proposal] each group keeps its most important unit (the code keeps the last picked).
      CP is the code's |gamma| criterion only (Table 2's L1 and COP variants are not implemented).
      After CP, the recipe is finetune2.py's (lr 0.1, x0.1 at epochs 80 and 120, 160 epochs); for shorter budgets
        pass --finetune-lr / --finetune-schedule.
    """
}
