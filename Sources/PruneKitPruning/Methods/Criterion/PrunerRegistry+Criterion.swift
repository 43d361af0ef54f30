import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// L1-norm filter pruning (Li et al., ICLR 2017; `CriterionPruner` with `MagnitudeImportance(norm: 1)`, or
    /// `GroupMagnitudeImportance(norm: 1)` with `--criterion group`).
    static let l1 = PrunerRegistry.Entry(name: "l1", summary: "L1-norm filter pruning (Li et al., ICLR 2017): one shot, drop the filters with the smallest sum |w|",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { $0.magnitudeCriterion.importance(norm: 1, config: $0) },
        settings: [MagnitudeCriterionSettings.self], options: MethodOption.magnitudeCriterion, notes: MethodNotes.l1,
        makePruner: { CriterionPruner(importance: $0.magnitudeCriterion.importance(norm: 1, config: $0)) })

    /// L2-norm filter pruning (`CriterionPruner` with `MagnitudeImportance(norm: 2)`, or the group criterion).
    static let l2 = PrunerRegistry.Entry(name: "l2", summary: "L2-norm filter pruning: one shot, drop the filters with the smallest L2 norm",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { $0.magnitudeCriterion.importance(norm: 2, config: $0) },
        settings: [MagnitudeCriterionSettings.self], options: MethodOption.magnitudeCriterion, notes: MethodNotes.l2,
        makePruner: { CriterionPruner(importance: $0.magnitudeCriterion.importance(norm: 2, config: $0)) })

    /// Random channels, the control baseline (Liu et al., ICLR 2019; `RandomImportance`).
    static let random = PrunerRegistry.Entry(name: "random", summary: "Random channels: the control baseline (Liu et al., ICLR 2019)",
        isStructured: true, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: { RandomImportance(seed: $0.seed) },
        makePruner: { CriterionPruner(importance: RandomImportance(seed: $0.seed), defaultNormalization: .none) })
}

/// The magnitude methods' criterion flags (shared by l1 and l2).
extension MethodOption {
    /// `--criterion filter|group`, `--criterion-reduction sum|mean`.
    static let magnitudeCriterion: [MethodOption] = [
        MethodOption(method: "l1,l2", name: "criterion", help: "Score the filter alone (filter, default; Li et al. 2017) or the coupled group: filters, BN |gamma|, readers' inputs (group; Torch-Pruning)") {
            guard let scope = MagnitudeCriterionSettings.Scope(rawValue: $1) else {
                throw PruneKitError.invalidParameter(name: "criterion", expected: "filter or group", found: "'\($1)'")
            }
            $0.magnitudeCriterion.scope = scope
        },
        MethodOption(method: "l1,l2", name: "criterion-reduction", help: "With --criterion group: combine members by sum or mean (default mean; Torch-Pruning)") {
            guard let reduction = GroupReduction(rawValue: $1), reduction != .max else {
                throw PruneKitError.invalidParameter(name: "criterion-reduction", expected: "sum or mean", found: "'\($1)'")
            }
            $0.magnitudeCriterion.reduction = reduction
        },
    ]
}

/// l1's and l2's criterion choice, for `methods --detail`.
extension MethodNotes {
    static let l1 = """
    decisions (baselines.md section 2):
      - criterion: default --criterion filter, Li et al.'s s_j = sum |F_j| of the filter alone (checked channel by
        channel against Torch-Pruning's MagnitudeImportance(p=1, group_reduction='first')); --criterion group
        scores the whole coupled group as Torch-Pruning's default: sum |w| over the filters, BN |gamma| and the
        next layers' input weights, combined by --criterion-reduction mean (default; sum / members) or sum.
      - presets: --preset NAME sets Li et al.'s exact ResNet-56/110 and VGG-16 configurations (only the first conv
        of each block, the paper's skipped layers and per-stage ratios) in place of a target.
    """
    static let l2 = """
    decisions:
      - criterion: default --criterion filter, the filter's L2 norm (SFP's criterion); --criterion group sums
        |w|^2 over the coupled group (filters, BN gamma^2, readers' inputs; no root, as Torch-Pruning), combined by
        --criterion-reduction mean (default) or sum.
    """
}
