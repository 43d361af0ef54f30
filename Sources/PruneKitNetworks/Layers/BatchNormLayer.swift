import PruneKitCore

/// Batch normalisation over channels of [N, C, H, W] or features of [N, C] (PyTorch's BatchNorm2d and
/// BatchNorm1d). Parameters `name.weight` (gamma, init 1) and `name.bias` (beta, init 0); buffers
/// `name.running_mean`, `name.running_var`, `name.num_batches_tracked` in `statistics`.
public final class BatchNorm: Layer {
    /// gamma, [C], named `name.weight` (init 1).
    public let scale: Variable
    /// beta, [C], named `name.bias` (init 0).
    public let shift: Variable
    /// Running mean and variance and the batch counter, updated in training mode.
    public let statistics: BatchNormStatistics
    /// Prefix of the parameter and buffer names (`layer1.0.bn1`).
    public let name: String
    /// Running-statistics update: running = (1 - momentum) * running + momentum * batch (PyTorch); default 0.1.
    public var momentum: Float
    /// Added to the variance before the square root: xhat = (x - mu) / sqrt(var + epsilon); default 1e-5.
    public var epsilon: Float

    /// A layer over `channels` channels: gamma 1, beta 0, running mean 0 and variance 1 (fresh statistics).
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

    /// C, the channels (or features) normalised.
    public var channels: Int { scale.shape[0] }
    /// gamma then beta (state_dict order); the running statistics are buffers, not parameters.
    public var ownParameters: [Variable] { [scale, shift] }

    /// `batchNorm`: [N, C, H, W] or [N, C] in, same shape out; batch statistics in training mode, running ones in eval.
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
