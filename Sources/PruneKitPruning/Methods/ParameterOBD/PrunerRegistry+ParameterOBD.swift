import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// C-OBD, EigenDamage's diagonal-Fisher filter baseline (Wang et al., ICML 2019; `ParameterOBDPruner`).
    static let diagonalFisherOBD = parameterCoordinate(.diagonalFisher,
        summary: "C-OBD (EigenDamage baseline, Wang et al. 2019): filters ranked by sum W^2 x diagonal Fisher, global, no weight update")

    /// Kron-OBD, EigenDamage's K-FAC filter baseline with S diagonal (Wang et al., ICML 2019; `ParameterOBDPruner`).
    static let kroneckerOBD = parameterCoordinate(.kroneckerOutputDiagonal,
        summary: "Kron-OBD (EigenDamage baseline, Wang et al. 2019): filters ranked by ½ S_ii w^T A w (K-FAC, im2col A), global, no weight update")

    /// Kron-OBS, EigenDamage's K-FAC filter baseline with the OBS update (Wang et al., ICML 2019; `ParameterOBDPruner`).
    static let kroneckerOBS = parameterCoordinate(.kroneckerOBS,
        summary: "Kron-OBS (EigenDamage baseline, Wang et al. 2019): filters ranked by ½ w^T A w / [S^-1]_ii, kept filters updated by S^-1, global")

    /// C-OBS, EigenDamage's K-FAC inverse-diagonal filter baseline (Wang et al., ICML 2019; `ParameterOBDPruner`).
    static let inverseDiagonalOBS = parameterCoordinate(.kroneckerInverseDiagonal,
        summary: "C-OBS (EigenDamage baseline, Wang et al. 2019): filters ranked by sum W^2 / ([S^-1]_ii [A^-1]_jj), weights updated by S^-1 C A^-1, global")

    /// An entry for one baseline: shared settings, options and notes, EigenDamage's fine-tuning recipe; the Kronecker
    /// damages (Kron-OBD, Kron-OBS) also take the code-form option.
    private static func parameterCoordinate(_ criterion: ParameterOBDPruner.Criterion, summary: String) -> PrunerRegistry.Entry {
        let kronecker = criterion == .kroneckerOutputDiagonal || criterion == .kroneckerOBS
        return PrunerRegistry.Entry(name: criterion.rawValue, summary: summary, isStructured: true,
                                    recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: nil,
                                    settings: [ParameterOBDPruner.Settings.self],
                                    options: MethodOption.parameterOBD + (kronecker ? [MethodOption.kroneckerCodeForm] : []),
                                    notes: MethodNotes.parameterOBD, makePruner: { _ in ParameterOBDPruner(criterion: criterion) })
    }
}

extension MethodOption {
    /// The baselines' flags (eigendamage.md "Parameter-coordinate baselines").
    static let parameterOBD: [MethodOption] = [
        MethodOption(method: "c-obd,kron-obd,kron-obs,c-obs", name: "obd-fisher",
                     help: "Fisher labels: sampled (true Fisher) or empirical (default sampled; official fisher_type: true)") {
            $0.parameterOBD.fisherLabels = try FisherLabels(parsing: $1, option: "obd-fisher")
        },
        MethodOption(method: "c-obd,kron-obd,kron-obs,c-obs", name: "obd-batches",
                     help: "Training batches of Fisher statistics per step (default: one full pass; Wang et al. 2019)") {
            $0.parameterOBD.statisticsBatches = try integer($1, name: "obd-batches", in: 1...10_000_000)
        },
        MethodOption(method: "c-obd,kron-obd,kron-obs,c-obs", name: "obd-ratio-limit",
                     help: "Largest fraction of a layer's (group's) filters removed (default 0.95, EigenDamage's prune_ratio_limit)") {
            $0.parameterOBD.ratioLimit = try number($1, name: "obd-ratio-limit", in: 0.01...1)
        },
    ]

    /// Kron-OBD's choice of formula (eigendamage.md: the code form as an option).
    static let kroneckerCodeForm = MethodOption(method: "kron-obd,kron-obs", name: "kron-obd-code-compat",
        help: "true: the official code's damage c_i sum_k W_ik^2 sum_j A_kj instead of the paper's ½ c_i w^T A w, c_i = S_ii (Kron-OBD) or 1/[S^-1]_ii (Kron-OBS) (default false)") {
        $0.parameterOBD.kroneckerForm = try boolean($1, name: "kron-obd-code-compat") ? .officialCode : .paper
    }
}

extension MethodNotes {
    /// The baselines' decisions on eigendamage.md's open points.
    static let parameterOBD = """
        Decision: Kron-OBD defaults to the paper's damage ½ S_ii w_i^T A w_i; --kron-obd-code-compat true gives the official \
        code's S_ii sum_k W_ik^2 (sum_j A_kj) (the ½ changes no ranking).
        Decision: coupled channels are pruned jointly: a residual stream's unit scores the sum of its producing filters' \
        damages (stem, blocks' last convs, projection shortcuts); readers and batch norm add nothing.
        Decision: statistics come from the same FisherPass as EigenDamage (eval mode, sampled labels, batch-mean loss), \
        im2col A with a ones column for a bias, factors averaged over batches; the training loader is used as configured \
        (the code: a batch-64 loader).
        Decision: the global threshold removes the floor(r N) lowest units for --ratio r (the code also prunes θ itself); \
        --flops / --params search the least removal meeting the target; the per-layer cap is min(ratio limit 0.95, \
        --max-ratio) of a group's units.
        Decision: convolutions only (every plain conv but the last parameterised layer); linear layers and factorised \
        (EigenDamage) convs are not scored, so their groups stay.
        Decision: Kron-OBS ranks by ½ w_i^T A w_i / [S^-1]_ii (the same code-form option) and before the surgery updates \
        every scored producer, W <- W - sum_p S^-1[:, p] W[p, :] / [S^-1]_pp, summing single-row updates as the code does; \
        S^-1 by eigendecomposition, eigenvalues <= 1e-15 set to 0, 1/(λ + 1e-10).
        Decision: C-OBS ranks by sum_j W_ij^2 / ([S^-1]_ii [A^-1]_jj) (the spec's form, no ½) and updates W <- W - S^-1 C A^-1 \
        with C_pj = W_pj / ([S^-1]_pp [A^-1]_jj) on the removed rows; A^-1 over the im2col columns, damped as S^-1.
        """
}
