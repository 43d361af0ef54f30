import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// Greedy forward selection (Ye et al., ICML 2020; `GreedySelectionPruner`).
    static let greedySelection = PrunerRegistry.Entry(name: "greedy",
        summary: "Greedy forward selection (Ye et al., ICML 2020): each layer rebuilt channel by channel from empty, N/|S| folded",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.01, .cosine), criterion: nil,
        settings: [GreedySelectionPruner.Settings.self], options: MethodOption.greedySelection,
        notes: """
        From the official code (greedy.md): code's relative top-1 stopping rule (tau, beta), no repeated picks, eval-mode \
        selection. [proposal] decisions: block-internal layers only (residual streams whole), the last hidden layer kept; \
        D_eval = the first --greedy-evaluation-images training images (with the loader's augmentation, as the code); \
        the target (--flops/--params/--ratio) caps each layer's kept channels at the uniform count that meets it \
        (--greedy-uses-target false: tolerance only); 0.1-epoch fine-tune after each pruned layer at lr 2.5e-3, \
        momentum 0.9, wd 4e-5; the long final fine-tune is --finetune-epochs.
        """,
        makePruner: { _ in GreedySelectionPruner() })
}

extension MethodOption {
    /// Greedy forward selection's flags.
    static let greedySelection: [MethodOption] = [
        MethodOption(method: "greedy", name: "greedy-candidates", help: "Candidates K evaluated per addition (default 50; Ye et al. code)") {
            $0.greedySelection.candidateCount = try integer($1, name: "greedy-candidates", in: 1...100_000)
        },
        MethodOption(method: "greedy", name: "greedy-tolerance", help: "Relative top-1 tolerance tau (default 0.02; code)") {
            $0.greedySelection.tolerance = try number($1, name: "greedy-tolerance", in: 0...1)
        },
        MethodOption(method: "greedy", name: "greedy-slack", help: "Batch pre-check slack beta (default 0.05; code)") {
            $0.greedySelection.slack = try number($1, name: "greedy-slack", in: 0...1)
        },
        MethodOption(method: "greedy", name: "greedy-evaluation-images", help: "Images in D_eval (default 5000; [proposal])") {
            $0.greedySelection.evaluationImages = try integer($1, name: "greedy-evaluation-images", in: 1...10_000_000)
        },
        MethodOption(method: "greedy", name: "greedy-uses-target", help: "Cap each layer at the target's uniform count (default true; [proposal])") {
            $0.greedySelection.usesTarget = try boolean($1, name: "greedy-uses-target")
        },
        MethodOption(method: "greedy", name: "greedy-finetune-fraction", help: "Epochs of fine-tuning after each pruned layer (default 0.1; code)") {
            $0.greedySelection.fineTuneEpochFraction = try number($1, name: "greedy-finetune-fraction", in: 0...100)
        },
    ]
}
