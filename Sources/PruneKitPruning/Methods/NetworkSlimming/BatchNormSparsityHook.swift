import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The network-slimming regulariser as a training hook: after backward, every BatchNorm's scale gradient gets
/// the L1 subgradient, gamma.grad += lambda sign(gamma) (sign(0) = 0), before the optimizer adds its weight decay
/// (Liu et al., ICCV 2017, `updateBN` in the official code).
///
/// ```swift
/// trainer.hooks.append(BatchNormSparsityHook(penalty: 1e-4))
/// ```
public final class BatchNormSparsityHook: TrainingHook {
    /// lambda.
    public let penalty: Float
    /// BatchNorm module names to regularise; nil: all.
    public let layerNames: Set<String>?

    /// A hook adding `penalty` sign(gamma) to the chosen BatchNorms' scale gradients.
    public init(penalty: Float, layerNames: Set<String>? = nil) {
        self.penalty = penalty
        self.layerNames = layerNames
    }

    /// gamma.grad += lambda sign(gamma) for the chosen BatchNorms.
    public func afterBackward(_ context: TrainingContext) throws {
        for case let norm as BatchNorm in context.model.allLayers where layerNames?.contains(norm.name) ?? true {
            let gamma = norm.scale
            var term = gamma.value.map { $0 > 0 ? penalty : ($0 < 0 ? -penalty : 0) }
            if let gradient = gamma.gradient { try term.addScaled(gradient) }
            gamma.gradient = term
        }
    }
}
