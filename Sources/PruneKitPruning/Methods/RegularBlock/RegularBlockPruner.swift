import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// BMWM and DARB (Ren et al., "DARB: A Density-Adaptive Regular-Block Pruning for Deep Neural Networks", AAAI 2020;
/// darb.md): each row of a weight matrix is cut into blocks of b_r consecutive entries and keeps only the largest-|w|
/// entry of each block (block-max weight masking). BMWM uses one b for every row; DARB picks b_r per row from the row's
/// density under irregular magnitude pruning at the target keep ratio (`DensityAdaptiveBlockSizes`) and then applies
/// BMWM to the original weights. Shapes do not change; the result is a `SparsityRecord.blocks(rowBlockSizes:)` on each
/// pruned node, saved in the checkpoint's graph, with exact zeros in the dense-shaped weight.
///
/// Decisions on the spec's [proposal] and "not found" points:
/// - Layers (`RegularBlockLayers`): every conv ([N_out, C_in k k], im2col order) and linear layer except the first conv;
///   the classifier only with >= 256 inputs (`classifierMinimumInputs`).
/// - Target: keep ratio rho over the selected layers' weights, the same in every layer: `compression` F gives
///   rho = 1/F (wins over the shared target); otherwise `ratio` s (pruned fraction) gives rho = 1 - s, `params` f
///   the rho that leaves f of the dense parameters; a FLOPs target is refused. BMWM without `blockSize` uses
///   b = 2^round(log2(1/rho)); with `blockSize` it needs no target.
/// - Ties inside a block: the lowest index; a partial last block keeps one entry; one kept entry per block (the format
///   stores one value per block, so top-k per block is not offered); no ADMM (not found in the paper). By default the
///   masks are derived once; `steps` > 1 follows darb.md step 6 (prune-retrain rounds at geometrically growing
///   compression, the rounds' retraining keeping the masks), which LeNet-5 needs to stay within 0.5 pt at 25x.
/// - Fine-tuning keeps the mask: `finish` attaches the records (the session's masks are moved out first, since
///   `restructure` refuses them); a layer with a blocks record trains with W ⊙ mask (`Conv2d.weightMask`,
///   `Linear.weightMask`), so masked positions stay exactly 0, here and in any later training of the checkpoint.
///
/// ```swift
/// var config = PruningConfig(); config.regularBlock.compression = 16
/// let report = try PruningPipeline.run(model: model, method: "darb", config: config, data: data)
/// report.results[RegularBlockResult.self]?.regularBlockBytes
/// ```
public final class RegularBlockPruner: Pruner {
    /// Options of both methods (one settings key, `regular_block`).
    public struct Settings: Codable, Equatable {
        /// BMWM's block size b (nil: from the target). Ignored by DARB.
        public var blockSize: Int?
        /// Compression factor F = dense / kept over the pruned layers (the paper reports 13x-25x); nil: the shared target.
        public var compression: Double?
        /// The classifier is pruned only with at least this many inputs (darb.md [proposal]: 256).
        public var classifierMinimumInputs = 256
        /// Whether the first convolution is pruned too (darb.md [proposal]: no).
        public var includesFirstConvolution = false
        /// Prune-retrain rounds (darb.md step 6, "repeat 1-5 with increasing compression"): round k of n keeps
        /// rho^(k/n), so the compression grows geometrically to the target (25x in 3 rounds: 2.9x, 8.5x, 25x).
        public var steps = 1
        /// Retraining with the masks between rounds (not after the last: that is the pipeline's fine-tuning). Default
        /// (not in the paper; chosen on LeNet-5 at 25x): 2 epochs, lr 0.01 with a cosine decay, momentum 0.9, wd 5e-4.
        public var retraining: TrainConfig = {
            var config = TrainConfig()
            (config.epochs, config.learningRate, config.schedule, config.momentum, config.weightDecay) = (2, 0.01, .cosine, 0.9, 5e-4)
            return config
        }()

        /// The defaults above.
        public init() {}
    }

    /// DARB (per-row sizes) when true, BMWM (one size) when false.
    public let isDensityAdaptive: Bool

    /// A DARB (`densityAdaptive`) or BMWM pruner.
    public init(densityAdaptive: Bool) { isDensityAdaptive = densityAdaptive }

    /// Retrains with this round's masks before the next round's (rounds after the first).
    public func prepare(_ session: PruningSession) throws {
        let retraining = session.config.regularBlock.retraining
        guard session.step > 0, retraining.epochs > 0 else { return }
        try session.train(TrainingPhase(name: "retraining after round \(session.step)", config: retraining))
    }

    /// Block-max masks for every selected layer at this round's keep ratio; the sizes wait in the run state for `finish`.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        let settings = session.config.regularBlock
        let layers = RegularBlockLayers.selected(in: session.model, settings: settings, config: session.config)
        guard !layers.isEmpty else {
            throw PruneKitError.invalidArgument(operation: isDensityAdaptive ? "darb" : "bmwm", message: "no conv or linear layer is selected for pruning")
        }
        let rounds = max(settings.steps, 1), fraction = Double(session.step + 1) / Double(rounds)
        let keepRatio = try Self.keepRatio(session, layers: layers, needed: isDensityAdaptive || settings.blockSize == nil).map { pow($0, fraction) }
        let state = session.runState { RegularBlockState() }
        state.blockSizes = []
        var plan = PruningPlan()
        for layer in layers {
            let scalars = layer.weight.value.scalars
            let sizes = isDensityAdaptive
                ? DensityAdaptiveBlockSizes.blockSizes(weight: scalars, rows: layer.rows, columns: layer.columns, keepRatio: keepRatio!)
                : [Int](repeating: settings.blockSize ?? Self.blockSize(keepRatio: keepRatio!), count: layer.rows)
            let mask = SparsityRecord.blocks(rowBlockSizes: sizes).mask(for: layer.weight.value, rows: layer.rows, columns: layer.columns)
            plan.masks[layer.weight.name] = try Tensor(shape: layer.weight.shape, scalars: mask)
            state.blockSizes.append((layer.name, sizes))
        }
        return plan
    }

    /// Done after `steps` rounds.
    public func isComplete(_ session: PruningSession) throws -> Bool { session.step >= max(session.config.regularBlock.steps, 1) }

    /// Attaches the block records and records the storage per layer and in total.
    public func finish(_ session: PruningSession) throws {
        let sizes = session.runState(of: RegularBlockState.self)?.blockSizes ?? []
        var graph = try session.model.currentGraph()
        for (name, rowSizes) in sizes { graph = try graph.attachingSparsity(.blocks(rowBlockSizes: rowSizes), to: name) }
        session.masks.removeAll()
        try session.restructure(to: try StructuralSurgery.rebuilt(session.model, graph: graph))
        try Self.record(session)
    }

    /// b = 2^round(log2(1 / rho)), at least 1.
    public static func blockSize(keepRatio: Double) -> Int { 1 << max(Int(log2(1 / keepRatio).rounded()), 0) }

    /// Writes the storage of the recorded layers to the results and the log.
    static func record(_ session: PruningSession) throws {
        let rows = try RegularBlockStorage.measure(session.model), total = RegularBlockStorage.total(rows)
        for row in rows + [total] { session.log(row.line) }
        session.results.record(RegularBlockResult(total))
        session.results.record(RegularBlockLayerResults(rows))
    }

    /// rho over the selected layers (nil when not `needed` and no target is set); throws naming the target otherwise.
    static func keepRatio(_ session: PruningSession, layers: [RegularBlockLayers.Layer], needed: Bool) throws -> Double? {
        if let compression = session.config.regularBlock.compression { return 1 / compression }
        switch session.config.target {
        case let .channelRatio(ratio): return 1 - ratio
        case let .parameterRatio(fraction):
            let prunable = Double(layers.reduce(0) { $0 + $1.weight.value.count }), total = Double(session.denseCost.parameterCount)
            return min(max((fraction * total - (total - prunable)) / prunable, 1e-6), 1)
        case .flopsRatio:
            throw PruneKitError.invalidParameter(name: "target", expected: "a ratio, params or compression target for regular-block pruning", found: "flops")
        case .unconstrained:
            guard !needed else {
                throw PruneKitError.invalidParameter(name: "target", expected: "a compression factor, ratio or params target", found: "none")
            }
            return nil
        }
    }
}

/// Block sizes chosen by `plan`, per layer name in model order.
final class RegularBlockState {
    var blockSizes: [(String, [Int])] = []
}
