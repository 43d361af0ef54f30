import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Magnitude weight pruning with retraining (Han et al., "Learning both Weights and Connections for Efficient
/// Neural Networks", NeurIPS 2015; baselines.md section 1): in each of `steps` rounds, every conv and linear
/// weight tensor loses its smallest-|w| entries to a mask (uniform scope: the same sparsity s_t in every layer,
/// t_l = quantile(|W_l|, s_t); global scope: one threshold over all layers), with s_t growing linearly to the
/// target; the network is retrained with the masks between rounds (`retraining`) and fine-tuned after the last.
/// Masked weights and their gradients stay exactly 0 (`WeightMasks`); shapes do not change.
///
/// Targets: a ratio is the weight sparsity s; `params=f` keeps at most f x the dense parameter count non-zero,
/// `flops=f` at most f x the dense FLOPs counted over non-zero weights. Ignored layers stay dense.
///
/// ```swift
/// var config = PruningConfig(); config.target = .channelRatio(0.9)     // 90% of the weights
/// config.magnitude.steps = 3; config.magnitude.retraining.epochs = 2
/// try PruningPipeline.run(model: model, method: "magnitude", config: config, data: data)
/// ```
public final class MagnitudeWeightPruner: Pruner {
    /// Rounds and retraining.
    public struct Settings: Codable, Equatable {
        /// Prune-retrain rounds (iterative beats one-shot at high sparsity).
        public var steps = 1
        /// Retraining between rounds (not after the last: that is the pipeline's fine-tuning). Default: 1 epoch,
        /// constant lr 0.001 (Han et al.: lower than the original rate), momentum 0.9, wd 1e-4.
        public var retraining: TrainConfig = {
            var config = TrainConfig()
            (config.epochs, config.learningRate, config.schedule, config.weightDecay) = (1, 0.001, .constant, 1e-4)
            return config
        }()

        /// The defaults above.
        public init() {}
    }

    /// A pruner.
    public init() {}

    /// Conv and linear weights that are not ignored, in model order.
    public static func prunableWeights(of session: PruningSession) -> [Variable] {
        session.model.layerNames.compactMap { name -> Variable? in
            guard !session.config.isIgnored(layerName: name) else { return nil }
            switch session.model.namedLayers[name] {
            case let convolution as Conv2d: return convolution.weight
            case let linear as Linear: return linear.weight
            default: return nil
            }
        }
    }

    /// The weight sparsity the target asks for over the prunable weights.
    public static func sparsity(for session: PruningSession) throws -> Double {
        let weights = prunableWeights(of: session), prunable = Double(weights.reduce(0) { $0 + $1.value.count })
        guard prunable > 0 else {
            throw PruneKitError.invalidArgument(operation: "magnitude pruning", message: "no conv or linear weights left to prune")
        }
        let dense = session.denseCost
        switch session.config.target {
        case let .channelRatio(ratio):
            return ratio
        case let .parameterRatio(fraction):
            let others = Double(dense.parameterCount) - prunable
            return min(max(1 - (fraction * Double(dense.parameterCount) - others) / prunable, 0), 1)
        case let .flopsRatio(fraction):
            let names = Set(weights.map { String($0.name.dropLast(".weight".count)) })
            let prunableFlops = Double(dense.layers.filter { names.contains($0.name) }.reduce(0) { $0 + $1.flops })
            return min(max(1 - (fraction * Double(dense.flops) - (Double(dense.flops) - prunableFlops)) / prunableFlops, 0), 1)
        case .unconstrained:
            throw PruningTarget.requiredError(by: "magnitude pruning")
        }
    }

    /// Retraining with the current masks before every round but the first.
    public func prepare(_ session: PruningSession) throws {
        let retraining = session.config.magnitude.retraining
        guard session.step > 0, retraining.epochs > 0 else { return }
        try session.train(TrainingPhase(name: "retraining after round \(session.step)", config: retraining))
    }

    /// Masks for this round's sparsity.
    public func plan(_ session: PruningSession) throws -> PruningPlan {
        let steps = max(session.config.magnitude.steps, 1)
        let sparsity = try Self.sparsity(for: session) * Double(session.step + 1) / Double(steps)
        let weights = Self.prunableWeights(of: session)
        let global = (session.config.scope ?? .uniform) == .global
        let counts = global ? Self.globalCounts(weights, sparsity: sparsity) : weights.map { Int(Double($0.value.count) * sparsity + 1e-9) }
        var plan = PruningPlan()
        for (weight, count) in zip(weights, counts) { plan.masks[weight.name] = Self.mask(weight.value, zeroing: count) }
        session.results.record(MagnitudeResult(weightSparsity: sparsity))
        return plan
    }

    /// Done after `steps` rounds.
    public func isComplete(_ session: PruningSession) throws -> Bool { session.step >= max(session.config.magnitude.steps, 1) }

    /// A mask with exactly `count` zeros at the smallest |w| (ties: lower flat index first).
    public static func mask(_ weight: Tensor, zeroing count: Int) -> Tensor {
        let values = weight.scalars
        let order = values.indices.sorted { abs(values[$0]) != abs(values[$1]) ? abs(values[$0]) < abs(values[$1]) : $0 < $1 }
        var mask = Tensor(repeating: 1, shape: weight.shape)
        mask.withUnsafeMutableBufferPointer { m in for index in order.prefix(count) { m[index] = 0 } }
        return mask  // a `MaskPattern.elements` mask: any 0/1 tensor
    }

    /// Per-tensor zero counts for one global threshold over all `weights` (ties broken in model order).
    static func globalCounts(_ weights: [Variable], sparsity: Double) -> [Int] {
        let all = weights.flatMap { $0.value.scalars.map(abs) }
        let total = Int(Double(all.count) * sparsity + 1e-9)
        guard total > 0 else { return weights.map { _ in 0 } }
        let threshold = all.sorted()[total - 1]
        var tiesLeft = total - all.filter { $0 < threshold }.count
        return weights.map { weight in
            let magnitudes = weight.value.scalars.map(abs)
            let ties = min(tiesLeft, magnitudes.filter { $0 == threshold }.count)
            tiesLeft -= ties
            return magnitudes.filter { $0 < threshold }.count + ties
        }
    }
}
