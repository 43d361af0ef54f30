import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// EigenDamage's parameter-coordinate filter-pruning baselines (Wang et al., ICML 2019, section 5; eigendamage.md
/// "Parameter-coordinate baselines"), registered as `c-obd` (diagonal Fisher, official `fisher_diag_pruner.py`) and
/// `kron-obd` (K-FAC with S treated as diagonal, `kfac_OBD_F2.py`), `kron-obs` (K-FAC with the OBS update,
/// `kfac_OBS_F2.py`) and `c-obs` (diagonal of the K-FAC inverse, two-sided update, `kfac_full_pruner.py`). Each step
///
/// 1. collects im2col A, S and the diagonal Fisher F of every plain convolution but the last parameterised layer
///    (`FilterCurvatureCollector`, the same `FisherPass` as EigenDamage: evaluation mode, true Fisher, one pass or
///    `statisticsBatches`), averaged over batches;
/// 2. scores filter i: C-OBD I(i) = sum_j W_ij^2 F_ij; Kron-OBD I(i) = ½ S_ii w_i^T A w_i (or the code's form,
///    `Settings.kroneckerForm`); Kron-OBS I(i) = ½ w_i^T A w_i / [S^-1]_ii; C-OBS
///    I(i) = sum_j W_ij^2 / ([S^-1]_ii [A^-1]_jj) (`FilterDamage`); a coupled group's unit sums its producing filters' damages
///    (`FilterDamageImportance`: residual streams are pruned jointly);
/// 3. removes the globally lowest units (raw damages, no normalisation) with `UnitSelector` at the target (`--ratio`,
///    `--flops`, `--params`), no group losing more than `ratioLimit` of its units (EigenDamage's per-layer cap, 0.95);
/// 4. C-OBD and Kron-OBD change no weight (OBD); Kron-OBS first updates each producer's kept filters,
///    W <- W - sum_p S^-1[:, p] W[p, :] / [S^-1]_pp, C-OBS by W <- W - S^-1 C A^-1 (`KroneckerOBSUpdate`); then the
///    surgery removes the channels.
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// config.parameterOBD.statisticsBatches = 20
/// try PruningPipeline.run(model: model, method: "kron-obd", config: config, data: data)
/// ```
public final class ParameterOBDPruner: Pruner {
    /// Which baseline.
    public enum Criterion: String, Sendable {
        /// C-OBD: the diagonal Fisher.
        case diagonalFisher = "c-obd"
        /// Kron-OBD: A ⊗ diag(S).
        case kroneckerOutputDiagonal = "kron-obd"
        /// Kron-OBS: A ⊗ S with the OBS update of the kept rows (`KroneckerOBSUpdate`).
        case kroneckerOBS = "kron-obs"
        /// C-OBS: the diagonal of (A ⊗ S)^-1, with the two-sided update.
        case kroneckerInverseDiagonal = "c-obs"
    }

    /// Settings shared by both baselines (defaults: eigendamage.md's one-pass values).
    public struct Settings: Codable, Equatable {
        /// Labels of the Fisher's backward pass (true Fisher: `sampled`).
        public var fisherLabels = FisherLabels.sampled
        /// Batches of statistics per step (nil: one full pass over the training data).
        public var statisticsBatches: Int?
        /// Largest fraction of a group's units the method removes (EigenDamage's ρ_max, 0.95; the shared
        /// `maximumGroupRatio` applies too when lower).
        public var ratioLimit = 0.95
        /// Kron-OBD's formula: the paper's ½ S_ii w^T A w (default) or the official code's S_ii sum_k W_ik^2 sum_j A_kj.
        public var kroneckerForm = FilterDamage.KroneckerDamageForm.paper

        /// The defaults above.
        public init() {}
    }

    /// One run's scores, kept in the session.
    final class RunState {
        /// This step's importance.
        var importance: FilterDamageImportance?
        /// Kron-OBS and C-OBS: layer name -> (its convolution, S^-1 [OC, OC], C-OBS's A^-1 [D, D], row-major).
        var inverses: [String: (convolution: Conv2d, output: [Double], input: [Double]?)] = [:]
    }

    /// The baseline this pruner runs.
    public let criterion: Criterion

    /// A pruner for `criterion`; its settings are read from the session's config.
    public init(criterion: Criterion) { self.criterion = criterion }

    /// Statistics over the configured batches, then per-filter damages.
    public func prepare(_ session: PruningSession) throws {
        let settings = session.config.parameterOBD, name = criterion.rawValue
        let layers = try EigenDamageLayer.considered(in: session.model).filter { $0.factorised == nil }
        guard !layers.isEmpty else {
            throw PruneKitError.invalidArgument(operation: name, message: "\(session.model.spec.name) has no convolution besides its last layer")
        }
        let collector = FilterCurvatureCollector(layers: layers.map { ($0.name, $0.observed) })
        try collector.collect(model: session.model, batches: try session.trainingData(for: name + " statistics"),
                              batchLimit: settings.statisticsBatches, labels: settings.fisherLabels,
                              seed: session.config.seed &+ UInt64(session.step), progress: FisherPass.progressLog(session, label: name + " statistics"))
        let state = session.runState { RunState() }
        var damages: [String: [Double]] = [:]
        state.inverses = [:]
        for layer in layers {
            let curvature = collector.curvatures[layer.name]!.averaged, weights = FilterDamage.rows(of: layer.observed)
            switch criterion {
            case .diagonalFisher: damages[layer.name] = try FilterDamage.diagonalFisher(weights: weights, curvature: curvature)
            case .kroneckerOutputDiagonal:
                damages[layer.name] = try FilterDamage.kroneckerOutputDiagonal(weights: weights, curvature: curvature, form: settings.kroneckerForm)
            case .kroneckerOBS:
                let inverse = try KroneckerOBSUpdate.inverse(curvature.factors.output, size: curvature.outputSize)
                damages[layer.name] = try FilterDamage.kroneckerOBS(weights: weights, curvature: curvature, inverseOutput: inverse,
                                                                    form: settings.kroneckerForm)
                state.inverses[layer.name] = (layer.observed, inverse, nil)
            case .kroneckerInverseDiagonal:
                let output = try KroneckerOBSUpdate.inverse(curvature.factors.output, size: curvature.outputSize)
                let input = try KroneckerOBSUpdate.inverse(curvature.factors.input, size: curvature.inputSize)
                damages[layer.name] = try FilterDamage.kroneckerInverseDiagonal(weights: weights, curvature: curvature, inverseOutput: output,
                                                                                inverseInput: input)
                state.inverses[layer.name] = (layer.observed, output, input)
            }
        }
        state.importance = FilterDamageImportance(name: name, damages: damages)
    }

    /// Kron-OBS and C-OBS update every scored producer's kept rows for the rows the plan removes, then the surgery; the OBD
    /// criteria only remove.
    public func apply(_ plan: PruningPlan, to session: PruningSession) throws {
        let inverses = session.runState(of: RunState.self)?.inverses ?? [:]
        for (groupName, units) in plan.removals.sorted(by: { $0.key < $1.key }) where !inverses.isEmpty {
            for member in try session.graph.group(named: groupName).members where member.role == .output {
                guard let layer = inverses[member.layerName] else { continue }
                let rows = units.flatMap { member.channels[$0] }, filters = layer.convolution.outputChannels
                try KroneckerOBSUpdate.apply(to: layer.convolution) { weights in
                    guard let input = layer.input else {
                        return try KroneckerOBSUpdate.updated(weights, filters: filters, removedRows: rows, inverseOutput: layer.output)
                    }
                    return try KroneckerOBSUpdate.updated(weights, filters: filters, removedRows: rows, inverseOutput: layer.output, inverseInput: input)
                }
            }
        }
        try session.apply(plan)
    }

    /// The globally lowest units for this step's share of the target, under the per-layer cap.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        guard let importance = session.runState(of: RunState.self)?.importance else {
            throw PruneKitError.invalidArgument(operation: criterion.rawValue, message: "plan before prepare: no statistics")
        }
        var config = session.config
        config.maximumGroupRatio = min(config.maximumGroupRatio, config.parameterOBD.ratioLimit)
        let selector = UnitSelector(graph: session.graph, config: config, referenceCost: session.denseCost, initialUnits: session.initialUnits,
                                    defaultScope: .global)
        let progress = Double(session.step + 1) / Double(config.iterativeSteps)
        let normalization = config.normalization ?? ScoreNormalization.none  // raw damages, as the paper ranks them
        return PruningPlan(removals: try selector.select(scores: session.scores(importance), normalization: normalization,
                                                         target: config.target.scaled(by: progress)))
    }
}
