import PruneKitCore

extension Model {
    /// Makes this model the network `other` is: its spec, graph, layers (the very same layer objects and parameter
    /// variables) and compiled forward pass. For graph edits that change a network's form rather than its widths
    /// (EigenDamage's factorisation, block removal) inside code that holds this model by reference, such as a pruning
    /// pipeline that narrows the model it was given in place. `other` should not be used afterwards on its own: both
    /// now share the layers. Optimizer state keyed by the old parameters no longer applies.
    ///
    /// ```swift
    /// let factorised = try StructuralSurgery.factorise("layer2.0.conv1", in: model)
    /// model.replaceStructure(with: factorised)   // model.currentSpec() now has the factorised node
    /// ```
    public func replaceStructure(with other: Model) {
        (spec, graph, children, layerNames, namedLayers) = (other.spec, other.graph, other.children, other.layerNames, other.namedLayers)
        (geometry, execution, largestBufferPerImage) = (other.geometry, other.execution, other.largestBufferPerImage)
    }
}
