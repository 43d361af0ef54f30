import PruneKitCore

/// Batch normalisation over channels of [N, C, H, W] or features of [N, C] (PyTorch's BatchNorm2d and
/// BatchNorm1d). Parameters `name.weight` (gamma, init 1) and `name.bias` (beta, init 0); buffers
/// `name.running_mean`, `name.running_var`, `name.num_batches_tracked` in `statistics`.
public final class BatchNorm: Layer {
    public let scale: Variable
    public let shift: Variable
    public let statistics: BatchNormStatistics
    public let name: String
    public var momentum: Float
    public var epsilon: Float

    public init(name: String, channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.name = name
        scale = Variable(parameter: Tensor(repeating: 1, shape: [channels]), name: name + ".weight")
        shift = Variable(parameter: Tensor(zeros: [channels]), name: name + ".bias")
        statistics = BatchNormStatistics(channels: channels)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// A layer with given initial values: gamma `scale` and beta `shift` ([C] each) and running `statistics`.
    ///
    /// ```swift
    /// let norm = BatchNorm(name: "bn1", scale: Tensor(repeating: 1, shape: [16]), shift: Tensor(zeros: [16]),
    ///                      statistics: BatchNormStatistics(channels: 16))
    /// ```
    public init(name: String, scale: Tensor, shift: Tensor, statistics: BatchNormStatistics, momentum: Float = 0.1,
                epsilon: Float = 1e-5) {
        self.name = name
        self.scale = Variable(parameter: scale, name: name + ".weight")
        self.shift = Variable(parameter: shift, name: name + ".bias")
        self.statistics = statistics
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var channels: Int { scale.shape[0] }
    public var ownParameters: [Variable] { [scale, shift] }

    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try context.hooked(self, input: input, output: try batchNorm(input, scale: scale, shift: shift, statistics: statistics,
                                                                     training: context.training, momentum: momentum, epsilon: epsilon))
    }

    /// relu(bn(input) + residual) as the fused `batchNormReLU` op (what Sequential, Model and the residual
    /// blocks call where a ReLU follows this layer).
    /// When `context.layerOutputHook` is set (pruning criteria observing or gating this layer's output), the
    /// unfused path runs instead, so the hook sees exactly bn(x) as it would without fusion.
    public func withReLU(_ input: Variable, _ context: ForwardContext, residual: Variable? = nil) throws -> Variable {
        if context.layerOutputHook != nil {
            let normalized = try self(input, context)
            return relu(try residual.map { try add(normalized, $0) } ?? normalized)
        }
        return try batchNormReLU(input, scale: scale, shift: shift, statistics: statistics, training: context.training,
                          residual: residual, momentum: momentum, epsilon: epsilon)
    }
}
