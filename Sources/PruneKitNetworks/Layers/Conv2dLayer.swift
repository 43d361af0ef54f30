import PruneKitCore

/// A 2-D convolution layer: weight [outputChannels, inputChannels, kernelSize, kernelSize], optional bias.
///
/// Forward is `conv2d` (im2col + sgemm). Initialisation is Kaiming normal over fan-out
/// (He et al., ICCV 2015), bias zero.
///
/// ```swift
/// var rng = SplitMix64(seed: 1)
/// let conv = Conv2d(name: "conv1", inputChannels: 3, outputChannels: 16, kernelSize: 3, padding: 1, generator: &rng)
/// ```
public final class Conv2d: Layer {
    /// Kernels, [outputChannels, inputChannels, kernelSize, kernelSize] (OIHW), named `name.weight`.
    public let weight: Variable
    /// [outputChannels], named `name.bias` (init 0); nil for a layer without bias (the random-init default).
    public let bias: Variable?
    /// Step of the window in both directions, in pixels; default 1.
    public let stride: Int
    /// Zero padding on each side, in pixels; default 0.
    public let padding: Int
    /// The kept im2col columns of a column-sparse layer (SPP, IncReg's column mode), nil when dense: forward, backward
    /// and inference then use W ⊙ M and compute only the kept columns (`conv2d(..., columns:)`); set by `Model` from
    /// the node's `SparsityRecord.columns`. Surgery that removes input channels remaps it (`keepingInputChannels`).
    public var columns: ConvolutionColumns?
    /// 0/1 mask of the weight entries a finer sparsity record keeps (DARB's block maxima), nil otherwise: while gradients
    /// are recorded the forward pass uses W ⊙ mask (`multiplyMask`), so masked entries stay exactly 0 in training. Set by
    /// `Model.refreshSparsityMasks` from the node's `SparsityRecord.blocks` and the current weights.
    public var weightMask: Tensor?

    /// A layer whose parameters are named `name.weight` and `name.bias`.
    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1,
                padding: Int = 0, bias: Bool = false, generator: inout SplitMix64) {
        let shape = [outputChannels, inputChannels, kernelSize, kernelSize]
        weight = Variable(parameter: Initializers.kaimingNormal(shape: shape, fan: outputChannels * kernelSize * kernelSize,
                                                                generator: &generator), name: name + ".weight")
        self.bias = bias ? Variable(parameter: Tensor(zeros: [outputChannels]), name: name + ".bias") : nil
        self.stride = stride
        self.padding = padding
    }

    /// A layer with given initial values: weight [outputChannels, inputChannels, k, k], bias [outputChannels].
    public init(name: String, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) {
        self.weight = Variable(parameter: weight, name: name + ".weight")
        self.bias = bias.map { Variable(parameter: $0, name: name + ".bias") }
        self.stride = stride
        self.padding = padding
    }

    /// C, channels of the input (weight.shape[1]).
    public var inputChannels: Int { weight.shape[1] }
    /// OC, channels of the output (weight.shape[0]).
    public var outputChannels: Int { weight.shape[0] }
    /// K, side of the square kernel (weight.shape[2]).
    public var kernelSize: Int { weight.shape[2] }
    /// weight, then bias if present (state_dict order).
    public var ownParameters: [Variable] { [weight] + (bias.map { [$0] } ?? []) }

    /// `conv2d`: input [N, C, H, W], output [N, OC, (H + 2P - K) / S + 1, (W + 2P - K) / S + 1]; passed through
    /// `context.layerOutputHook`.
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try context.hooked(self, input: input, output: try conv2d(input, weight: try trainingWeight(), bias: bias, stride: stride,
                                                                    padding: padding, columns: columns))
    }

    /// The weight, or W ⊙ `weightMask` while gradients are recorded.
    private func trainingWeight() throws -> Variable {
        guard let weightMask, GradientMode.isEnabled else { return weight }
        return try multiplyMask(weight, by: weightMask)
    }

    /// Evaluation without gradients: act(bn(conv(input)) + residual) in one fused op, batch norm folded into the
    /// weights (`conv2dInference`). Callers check `context.fusesInference` first. With `context.inferenceWeights`
    /// set, the folded and packed weights are made once per forward call and shared by its sub-batches.
    public func inference(_ input: Variable, batchNorm: BatchNorm?, residual: Variable? = nil, relu: Bool,
                          _ context: ForwardContext) throws -> Variable {
        let geometry = try conv2dGeometry(input.shape, weight.shape, bias?.shape, stride: stride, padding: padding)
        let make = { [self] in
            let folding = batchNorm.map {
                BatchNormFolding(scale: $0.scale.value, shift: $0.shift.value, statistics: $0.statistics, epsilon: $0.epsilon)
            }
            return try PreparedConvolutionWeights(weight: weight.value, bias: bias?.value, batchNorm: folding, geometry: geometry,
                                                  columns: columns)
        }
        let prepared = try context.inferenceWeights?.weights(for: self, geometry: geometry, make) ?? make()
        return try conv2dInference(input, prepared, residual: residual, relu: relu)
    }
}
