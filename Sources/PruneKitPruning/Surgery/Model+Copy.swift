import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Independent copies of a model, for pruning one copy while keeping the other (dense latency, sensitivity
/// analysis, equivalence checks).
extension Model {
    /// A new model with this one's current widths, parameters (values only, no gradients), BatchNorm running
    /// statistics and batch counts, and channel scatter fills (`copyBuffers`). Changing one never changes the other.
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
        result.copyBuffers(from: self)
        return result
    }
}
