import PruneKitCore

/// y = max(x, 0).
public final class ReLU: Layer {
    public init() {}
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable { relu(input) }
}

/// Max pooling with a square window (`maxPool2d`).
public final class MaxPool: Layer {
    public let kernelSize, stride, padding: Int
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Average pooling with a square window (`avgPool2d`).
public final class AveragePool: Layer {
    public let kernelSize, stride, padding: Int
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// [N, C, H, W] -> [N, C] by averaging each channel.
public final class GlobalAveragePool: Layer {
    public init() {}
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable { try globalAveragePool(input) }
}

/// [N, ...] -> [N, product of the rest].
public final class Flatten: Layer {
    public init() {}
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable { try flatten(input) }
}

/// Inverted dropout with drop probability `probability`, active only in training.
public final class Dropout: Layer {
    public let probability: Float
    public init(probability: Float) { self.probability = probability }
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try dropout(input, probability: probability, training: context.training, generator: &context.generator)
    }
}

/// Layers applied in order (a BatchNorm followed by a ReLU runs as the fused `batchNormReLU`).
public final class Sequential: Layer {
    public private(set) var layers: [Layer]
    public init(_ layers: [Layer]) { self.layers = layers }
    public var children: [Layer] { layers }
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try forwardFusingBatchNormReLU(layers, input, context)
    }
}
