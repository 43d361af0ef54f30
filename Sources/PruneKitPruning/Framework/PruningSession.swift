import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The state of one pruning run, shared by the pipeline and the pruner: the model being pruned, its current
/// `DependencyGraph`, the dense reference cost and widths, the optimizer whose state surgery slices, the
/// unstructured masks, and method results for the report. Pruners read it to plan and call `apply` and `train`.
///
/// ```swift
/// let session = try PruningSession(model: model, config: config, data: data)
/// let scores = try session.scores(MagnitudeImportance(norm: 1))
/// try session.apply(PruningPlan(removals: try session.selector().select(scores: scores, normalization: .none)))
/// ```
public final class PruningSession {
    /// The model, pruned in place.
    public let model: Model
    /// All options.
    public let config: PruningConfig
    /// Training and evaluation batches.
    public let data: PruningData
    /// Cost of the model when the session started (FLOPs and parameter targets are fractions of it).
    public let denseCost: ModelCost
    /// Units per group when the session started (channel ratios are fractions of it).
    public let initialUnits: [String: Int]
    /// The groups of the model as it is now (rebuilt after every structured change).
    public internal(set) var graph: DependencyGraph
    /// The optimizer of the current or last training phase; surgery slices its state.
    public var optimizer: Optimizer?
    /// Unstructured masks, re-applied after every optimizer step of later training.
    public let masks = WeightMasks()
    /// Plans applied so far.
    public private(set) var step = 0
    /// Method results for the report (`DeepCompressionResult`, `DirectionalPruningResult`, ...).
    public var results = PruningResults()
    /// Receives progress lines (default: none).
    public var log: (String) -> Void = { _ in }
    /// The pruner's per-run state by type (see `PruningSession+RunState.swift`): pruners keep none themselves.
    var runStates: [ObjectIdentifier: AnyObject] = [:]

    /// A session on `model`; validates `config`.
    public init(model: Model, config: PruningConfig, data: PruningData) throws {
        try config.validate()
        self.model = model
        self.config = config
        self.data = data
        graph = try DependencyGraph(model: model)
        denseCost = try model.cost()
        initialUnits = Dictionary(uniqueKeysWithValues: graph.groups.map { ($0.name, $0.unitCount) })
    }

    /// A selector for the current graph with the session's references; `defaultScope` applies when the config
    /// does not set one.
    public func selector(defaultScope: PruningConfig.Scope = .uniform, countRule: RemovalCountRule = .keepTruncated) -> UnitSelector {
        UnitSelector(graph: graph, config: config, referenceCost: denseCost, initialUnits: initialUnits, defaultScope: defaultScope,
                     countRule: countRule)
    }

    /// `importance`'s scores for every group it can score.
    public func scores(_ importance: Importance) throws -> [String: [Float]] {
        var result: [String: [Float]] = [:]
        for group in graph.groups { result[group.name] = try importance.scores(for: group, in: model) }
        return result
    }

    /// The model's cost now.
    public func currentCost() throws -> ModelCost { try model.cost() }

    /// Carries out `plan`: removed blocks first (the model takes the compact architecture in place,
    /// `Model.replaceArchitecture`, and the optimizer is dropped: its state belongs to the old tensors), then surgery
    /// for removals (slicing the optimizer state and masks), then scatter insertions (like block removal), then the masks (weights and optimizer state are
    /// multiplied by them); rebuilds the graph.
    public func apply(_ plan: PruningPlan) throws {
        if !plan.removedBlocks.isEmpty {
            guard masks.isEmpty else {
                throw PruneKitError.invalidArgument(operation: "remove blocks", message: "weight masks are set; block removal does not carry them")
            }
            model.replaceArchitecture(with: try StructuralSurgery.removeResidualBlocks(joinedAt: plan.removedBlocks, from: model))
            optimizer = nil
            graph = try DependencyGraph(model: model)
        }
        if !plan.removals.isEmpty {
            try ChannelSurgery.remove(plan.removals, graph: graph, from: model, optimizer: optimizer, masks: masks)
        }
        if !plan.scatters.isEmpty {
            guard masks.isEmpty else {
                throw PruneKitError.invalidArgument(operation: "insert scatters", message: "weight masks are set; a scatter edit does not carry them")
            }
            model.replaceArchitecture(with: try StructuralSurgery.insertScatters(plan.scatters, in: model))
            optimizer = nil
        }
        if !plan.masks.isEmpty {
            let parameters = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0) })
            var state = optimizer?.stateTensors() ?? [:]
            for (name, mask) in plan.masks.sorted(by: { $0.key < $1.key }) {
                guard let parameter = parameters[name] else {
                    throw PruneKitError.invalidArgument(operation: "mask", message: "\(model.spec.name) has no parameter '\(name)'")
                }
                try masks.set(mask, for: parameter)
                OptimizerStateSurgery.mask(mask, of: name, in: &state)
            }
            masks.apply(to: model.parameters)
            if let optimizer, !state.isEmpty { try optimizer.loadStateTensors(state) }
        }
        graph = try DependencyGraph(model: model)
        step += 1
    }

    /// The training batches; throws naming `purpose` when there are none.
    public func trainingData(for purpose: String) throws -> BatchProvider {
        guard let training = data.training else {
            throw PruneKitError.invalidArgument(operation: purpose, message: "needs training data, but none was given")
        }
        return training
    }

    /// Runs `phase` on the training data (masks stay applied); the optimizer becomes the session's.
    @discardableResult
    public func train(_ phase: TrainingPhase) throws -> TrainingState {
        let optimizer = try phase.optimizer ?? (phase.continuesOptimizer ? self.optimizer : nil) ?? phase.config.makeOptimizer()
        self.optimizer = optimizer
        let trainer = Trainer(model: model, optimizer: optimizer, config: phase.config,
                              training: try trainingData(for: phase.name), evaluation: nil, classCount: model.spec.classCount)
        let masksIncluded = phase.hooks.contains { $0 === masks }
        trainer.hooks = phase.hooks + (masks.isEmpty || masksIncluded ? [] : [masks])
        trainer.layerOutputHook = phase.layerOutputHook
        trainer.onEpochEnd = { [log] state in
            if let record = state.history.last {
                log("\(phase.name): epoch \(record.epoch + 1)/\(phase.config.epochs) loss \(record.trainLoss) accuracy \(record.trainAccuracy)")
            }
            try phase.onEpochEnd?(state)
        }
        return try trainer.fit(from: TrainingState(seed: phase.config.seed))
    }

    /// Whether the model now meets `target` (relative to the dense cost and initial widths); `none` always holds.
    public func hasReached(_ target: PruningTarget) throws -> Bool {
        switch target {
        case .unconstrained: return true
        case let .flopsRatio(fraction): return Double(try currentCost().flops) <= fraction * Double(denseCost.flops)
        case let .parameterRatio(fraction):
            return Double(try currentCost().parameterCount) <= fraction * Double(denseCost.parameterCount)
        case let .channelRatio(ratio):
            let initial = initialUnits.values.reduce(0, +), current = graph.groups.reduce(0) { $0 + $1.unitCount }
            return Double(initial - current) >= Double(initial) * ratio - 1e-9
        }
    }
}
