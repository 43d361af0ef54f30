import PruneKitCore

/// y = max(x, 0).
public final class ReLU: Layer {
    /// A ReLU layer (no parameters).
    public init() {}
    /// max(x, 0) elementwise, any shape.
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable { relu(input) }
}

/// Max pooling with a square window (`maxPool2d`).
public final class MaxPool: Layer {
    /// Window side K, step S and padding P (counted as -infinity), in pixels.
    public let kernelSize, stride, padding: Int
    /// A pooling layer; `stride` defaults to `kernelSize` (non-overlapping windows), padding to 0.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }
    /// [N, C, H, W] -> [N, C, (H + 2P - K) / S + 1, (W + 2P - K) / S + 1].
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Average pooling with a square window (`avgPool2d`).
public final class AveragePool: Layer {
    /// Window side K, step S and zero padding P, in pixels; padding counts in the K*K divisor (PyTorch's default).
    public let kernelSize, stride, padding: Int
    /// A pooling layer; `stride` defaults to `kernelSize` (non-overlapping windows), padding to 0.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }
    /// [N, C, H, W] -> [N, C, (H + 2P - K) / S + 1, (W + 2P - K) / S + 1].
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// [N, C, H, W] -> [N, C] by averaging each channel.
public final class GlobalAveragePool: Layer {
    /// A global average pooling layer (no parameters).
    public init() {}
    /// [N, C, H, W] -> [N, C].
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable { try globalAveragePool(input) }
}

/// [N, ...] -> [N, product of the rest].
public final class Flatten: Layer {
    /// A flatten layer (no parameters).
    public init() {}
    /// [N, d1, d2, ...] -> [N, d1*d2*...].
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable { try flatten(input) }
}

/// Inverted dropout with drop probability `probability`, active only in training.
public final class Dropout: Layer {
    /// p, the chance that each element is zeroed in training, in [0, 1); kept ones are scaled by 1 / (1 - p).
    public let probability: Float
    /// A dropout layer dropping with probability `probability` (Srivastava et al., JMLR 2014).
    public init(probability: Float) { self.probability = probability }
    /// Any shape, same shape out; draws the mask from `context.generator` in training, the identity in evaluation.
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try dropout(input, probability: probability, training: context.training, generator: &context.generator)
    }
}

/// Layers applied in order (a BatchNorm followed by a ReLU runs as the fused `batchNormReLU`).
public final class Sequential: Layer {
    /// The layers, in forward order.
    public private(set) var layers: [Layer]
    /// Runs `layers` in order.
    ///
    /// ```swift
    /// let head = Sequential([GlobalAveragePool(), Flatten(), Linear(name: "fc", inputFeatures: 64, outputFeatures: 10, generator: &rng)])
    /// ```
    public init(_ layers: [Layer]) { self.layers = layers }
    /// The layers, so that parameters are enumerated in forward order.
    public var children: [Layer] { layers }
    /// Each layer's output is the next one's input; shape contracts are the layers'.
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try forwardFusingBatchNormReLU(layers, input, context)
    }
}
