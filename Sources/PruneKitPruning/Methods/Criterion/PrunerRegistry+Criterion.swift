import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// L1-norm filter pruning (Li et al., ICLR 2017; `CriterionPruner` with `MagnitudeImportance(norm: 1)`).
    static let l1 = PrunerRegistry.Entry(name: "l1", summary: "L1-norm filter pruning (Li et al., ICLR 2017): one shot, drop the filters with the smallest sum |w|",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { PrunerRegistry.magnitude(1, $0) },
        makePruner: { CriterionPruner(importance: PrunerRegistry.magnitude(1, $0)) })

    /// L2-norm filter pruning (`CriterionPruner` with `MagnitudeImportance(norm: 2)`).
    static let l2 = PrunerRegistry.Entry(name: "l2", summary: "L2-norm filter pruning: one shot, drop the filters with the smallest L2 norm",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { PrunerRegistry.magnitude(2, $0) },
        makePruner: { CriterionPruner(importance: PrunerRegistry.magnitude(2, $0)) })

    /// Random channels, the control baseline (Liu et al., ICLR 2019; `RandomImportance`).
    static let random = PrunerRegistry.Entry(name: "random", summary: "Random channels: the control baseline (Liu et al., ICLR 2019)",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { RandomImportance(seed: $0.seed) },
        makePruner: { CriterionPruner(importance: RandomImportance(seed: $0.seed), defaultNormalization: .none) })
}
