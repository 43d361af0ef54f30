import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Independent copies of a model, for pruning one copy while keeping the other (dense latency, sensitivity
/// analysis, equivalence checks).
extension Model {
    /// A new model with this one's current widths, parameters (values only, no gradients), BatchNorm running
    /// statistics and batch counts. Changing one never changes the other.
    ///
    /// ```swift
    /// let dense = try model.copy()
    /// try ChannelSurgery.remove(["layer1": [0]], graph: graph, from: model)   // `dense` is untouched
    /// ```
    public func copy() throws -> Model {
        let result = try Model(spec: currentSpec(), seed: 0)
        for (target, source) in zip(result.parameters, parameters) {
            guard target.name == source.name, target.shape == source.shape else {
                throw PruneKitError.shapeMismatch(operation: "Model.copy \(spec.name)", expected: "\(source.name) \(source.shape)",
                                                  found: "\(target.name) \(target.shape)")
            }
            target.value = source.value
        }
        for name in layerNames {
            guard let source = namedLayers[name] as? BatchNorm, let target = result.namedLayers[name] as? BatchNorm else { continue }
            target.statistics.runningMean = source.statistics.runningMean
            target.statistics.runningVariance = source.statistics.runningVariance
            target.statistics.batchesTracked = source.statistics.batchesTracked
            (target.momentum, target.epsilon) = (source.momentum, source.epsilon)
        }
        return result
    }
}
