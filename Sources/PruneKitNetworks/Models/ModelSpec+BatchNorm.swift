import PruneKitCore

/// Whether a network normalises with batch norm, for recipes that depend on it (the default learning rate).
extension ModelSpec {
    /// Whether this network has batch norm: for family `graph`, whether its graph holds a `batch_norm` node; for the
    /// zoo families, `family.usesBatchNorm` (VGG, ResNet, WRN, ResNet-v2 yes; MLP and the LeNets no). Networks without
    /// it train stably only at smaller learning rates (LeNet-5 on MNIST at 0.1 with momentum 0.9 diverges).
    ///
    /// ```swift
    /// let spec = try ModelSpec(contentsOfFile: "Examples/graphs/small-residual.json")
    /// spec.usesBatchNorm                       // true: the example's convolutions are followed by batch norm
    /// ```
    public var usesBatchNorm: Bool {
        guard family == .graph else { return family.usesBatchNorm }
        return graph?.nodes.contains { $0.operation == .batchNorm } ?? false
    }
}
