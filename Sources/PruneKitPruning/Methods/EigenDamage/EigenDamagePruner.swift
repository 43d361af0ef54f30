import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// EigenDamage (Wang, Grosse, Fidler, Zhang, "EigenDamage: Structured Pruning in the Kronecker-Factored Eigenbasis",
/// ICML 2019; eigendamage.md): prunes eigen-directions instead of channels. Each step
///
/// 1. collects the K-FAC factors A (patch mode) and S of every considered layer (`EigenDamageLayer`) over one pass
///    of the training data (or `statisticsBatches`), model in evaluation mode, true Fisher (`KroneckerFactorCollector`);
/// 2. eigendecomposes them (`KroneckerEigenbasis`) and scores every input and output direction (`EigenbasisImportance`);
/// 3. picks the global threshold that meets the target, with the per-layer cap and the size guard
///    (`EigenDirectionSelection`);
/// 4. rewrites each selected layer exactly as rotation-in Q_A^T, core Q_S^T W Q_A, rotation-out Q_S
///    (`StructuralSurgery.factorise`; a layer factorised by an earlier step is rotated in place, `EigenbasisRebase`);
///    the network still computes the same function;
/// 5. `plan` removes the pruned directions: the ordinary channel groups `NAME.rotation_in` and `NAME.core`.
///
/// Targets: `--ratio r` is the paper's ratio of all eigen-directions; `--flops` / `--params` search the threshold
/// whose bottleneck network meets the fraction of the dense cost. With `iterativeSteps` T > 1 step t prunes to the
/// fraction f^(t/T) (ratio targets: r of the remaining directions at every step, as the paper's iterative runs).
///
/// ```swift
/// var config = PruningConfig(); config.target = .flopsRatio(0.5)
/// config.eigenDamage.statisticsBatches = 20
/// try PruningPipeline.run(model: model, method: "eigendamage", config: config, data: data)
/// ```
public final class EigenDamagePruner: Pruner {
    /// The method's settings (defaults: the official one-pass CIFAR configs).
    public struct Settings: Codable, Equatable {
        /// Labels of the Fisher's backward pass (true Fisher: `sampled`, `fisher_type: "true"`).
        public var fisherLabels = FisherLabels.sampled
        /// Batches of statistics per step (nil: one full pass over the training data, as the paper).
        public var statisticsBatches: Int?
        /// ρ_max, the largest fraction of a layer side's directions one step removes (0.95 one pass; 0.5 iterative).
        public var ratioLimit = 0.95
        /// Eigenvalues at or below this are 0 (official code: 1e-10).
        public var eigenvalueFloor = 1e-10
        /// Fine-tuning epochs between iterative steps (the paper fine-tunes fully; 0: none).
        public var epochsBetweenSteps = 0

        /// The defaults above.
        public init() {}
    }

    /// One run's pending removals and timing, kept in the session.
    final class RunState {
        /// Group name -> direction indices the current plan removes.
        var removals: [String: [Int]] = [:]
        /// Seconds spent collecting statistics, over all steps.
        var statisticsSeconds = 0.0
    }

    /// A pruner; its settings are read from the session's config.
    public init() {}

    /// Statistics, bases, importance, threshold, and the exact rewrite of the selected layers.
    public func prepare(_ session: PruningSession) throws {
        let settings = session.config.eigenDamage, state = session.runState { RunState() }
        if session.step > 0, settings.epochsBetweenSteps > 0 { try fineTuneBetweenSteps(session, epochs: settings.epochsBetweenSteps) }
        let layers = try EigenDamageLayer.considered(in: session.model)
        guard !layers.isEmpty else {
            throw PruneKitError.invalidArgument(operation: "eigendamage", message: "\(session.model.spec.name) has no convolution besides its last layer")
        }
        let start = Profiler.now()
        let factors = try collectFactors(session, layers, settings)
        state.statisticsSeconds += Profiler.now() - start
        var bases: [String: KroneckerEigenbasis] = [:], candidates: [EigenDirectionSelection.Layer] = []
        for layer in layers {
            let sizes = layer.sizes
            let basis = try KroneckerEigenbasis(factors: factors[layer.name]!, inputChannels: layer.observed.inputChannels,
                                                eigenvalueFloor: settings.eigenvalueFloor)
            let importance = try EigenbasisImportance(weight: layer.observed.weight.value, basis: basis)
            bases[layer.name] = basis
            candidates.append(.init(name: layer.name, input: importance.input, output: importance.output, inputChannels: sizes.inputs,
                                    outputChannels: sizes.outputs, kernelSize: sizes.kernel, currentParameters: sizes.parameters))
        }
        let selection = try EigenDirectionSelection(layers: candidates, ratioLimit: settings.ratioLimit)
        let kept = try EigenDamageTarget.keptDirections(selection, session: session)
        try rewrite(session, layers: layers, bases: bases, kept: kept)
        state.removals = Self.removals(kept, layers: candidates)
        session.log("eigendamage step \(session.step + 1): \(kept.count) of \(layers.count) layers factorised, "
                    + "\(state.removals.values.reduce(0) { $0 + $1.count }) of \(selection.directionCount) directions pruned; "
                    + "statistics \(Int(state.statisticsSeconds * 1000)) ms")
    }

    /// The pruned directions of the rewritten layers.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        PruningPlan(removals: session.runState(of: RunState.self)?.removals ?? [:])
    }

    /// K-FAC factors of `layers` over the configured batches, with progress lines every tenth of the pass.
    private func collectFactors(_ session: PruningSession, _ layers: [EigenDamageLayer], _ settings: Settings) throws -> [String: KroneckerFactors] {
        let collector = KroneckerFactorCollector(layers: layers.map { ($0.name, $0.observed) }, includesBias: false)
        let batches = try session.trainingData(for: "eigendamage statistics")
        try collector.collect(model: session.model, batches: batches, batchLimit: settings.statisticsBatches, labels: settings.fisherLabels,
                              seed: session.config.seed &+ UInt64(session.step),
                              progress: FisherPass.progressLog(session, label: "eigendamage statistics"))
        return collector.factors
    }

    /// Factorised layers rotated in place first, then plain convolutions factorised (one structural edit each).
    private func rewrite(_ session: PruningSession, layers: [EigenDamageLayer], bases: [String: KroneckerEigenbasis],
                         kept: [String: EigenDirectionSelection.Kept]) throws {
        for layer in layers where kept[layer.name] != nil {
            if let factorised = layer.factorised { try EigenbasisRebase.rebase(factorised, basis: bases[layer.name]!) }
        }
        var model = session.model
        for layer in layers where kept[layer.name] != nil && layer.factorised == nil {
            let basis = bases[layer.name]!
            model = try StructuralSurgery.factorise(layer.name, in: model, inputBasis: try basis.inputBasisTensor(),
                                                    outputBasis: try basis.outputBasisTensor())
        }
        if model !== session.model { try session.restructure(to: model) }
    }

    /// Group name -> the directions not kept (`NAME.rotation_in`: inputs, `NAME.core`: outputs).
    static func removals(_ kept: [String: EigenDirectionSelection.Kept], layers: [EigenDirectionSelection.Layer]) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for layer in layers {
            guard let keep = kept[layer.name] else { continue }
            let input = Set(keep.input), output = Set(keep.output)
            let removedInput = layer.input.indices.filter { !input.contains($0) }, removedOutput = layer.output.indices.filter { !output.contains($0) }
            if !removedInput.isEmpty { result[layer.name + ".rotation_in"] = removedInput }
            if !removedOutput.isEmpty { result[layer.name + ".core"] = removedOutput }
        }
        return result
    }

    /// The iterative mode's fine-tuning between steps, at the method's recipe.
    private func fineTuneBetweenSteps(_ session: PruningSession, epochs: Int) throws {
        var config = PrunerRegistry.Entry.eigenDamage.recommendedFineTuning
        config.epochs = epochs
        config.seed = session.config.seed &+ UInt64(session.step)
        try session.train(TrainingPhase(name: "eigendamage fine-tuning", config: config))
    }
}
