import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Fine-tuning of Deep Compression's shared weights (Han et al., ICLR 2016, section 3.3): after backward, each
/// quantised tensor's gradient is summed per cluster, dL/dC_k = sum dL/dW 1[I = k], and taken away from the
/// optimizer; after the step, C_k -= lr dL/dC_k (plain SGD) and the weights are rewritten as C[I] (pruned
/// positions stay 0). Other parameters train normally.
///
/// ```swift
/// let hook = SharedWeightHook(sharing: ["fc1.weight": sharing])
/// trainer.hooks.append(hook)
/// ```
public final class SharedWeightHook: TrainingHook {
    /// Parameter name -> its codebook and assignments (centroids change as training goes).
    public private(set) var sharing: [String: WeightSharing]
    private var pending: [String: [Float]] = [:]

    /// A hook for the given quantised tensors.
    public init(sharing: [String: WeightSharing]) { self.sharing = sharing }

    /// Moves each shared tensor's gradient into its centroid gradient.
    public func afterBackward(_ context: TrainingContext) throws {
        for parameter in context.model.parameters {
            guard let shared = sharing[parameter.name], let gradient = parameter.gradient else { continue }
            pending[parameter.name] = shared.centroidGradients(gradient)
            parameter.gradient = nil  // the optimizer must not move the individual weights
        }
    }

    /// C_k -= lr dL/dC_k, then w = C[I].
    public func afterOptimizerStep(_ context: TrainingContext) throws {
        let rate = context.optimizer.learningRate
        for parameter in context.model.parameters {
            guard var shared = sharing[parameter.name], let gradient = pending[parameter.name] else { continue }
            for k in shared.centroids.indices { shared.centroids[k] -= rate * gradient[k] }
            sharing[parameter.name] = shared
            parameter.value = shared.reconstructed()
        }
        pending = [:]
    }
}
