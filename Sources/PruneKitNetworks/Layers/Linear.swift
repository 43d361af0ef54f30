import PruneKitCore

/// A fully connected layer y = x W^T + b, weight [outputFeatures, inputFeatures] (PyTorch layout).
/// Initialisation is PyTorch's default: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
public final class Linear: Layer {
    /// W, [outputFeatures, inputFeatures], named `name.weight`.
    public let weight: Variable
    /// b, [outputFeatures], named `name.bias`; nil for a layer without bias.
    public let bias: Variable?

    /// 0/1 mask of the weight entries a sparsity record keeps (DARB's block maxima, kept input columns), nil when
    /// dense: while gradients are recorded the forward pass uses W ⊙ mask (`multiplyMask`), so masked entries stay
    /// exactly 0 in training. Set by `Model.refreshSparsityMasks` from the node's record and the current weights.
    public var weightMask: Tensor?
    /// A layer whose parameters are named `name.weight` and `name.bias`.
    public init(name: String, inputFeatures: Int, outputFeatures: Int, bias: Bool = true, generator: inout SplitMix64) {
        weight = Variable(parameter: Initializers.pytorchDefault(shape: [outputFeatures, inputFeatures], fanIn: inputFeatures,
                                                                 generator: &generator), name: name + ".weight")
        self.bias = bias ? Variable(parameter: Initializers.pytorchDefault(shape: [outputFeatures], fanIn: inputFeatures,
                                                                           generator: &generator), name: name + ".bias") : nil
    }

    /// A layer with given initial values: weight [outputFeatures, inputFeatures], bias [outputFeatures].
    ///
    /// ```swift
    /// let layer = Linear(name: "fc", weight: Tensor(zeros: [10, 64]), bias: Tensor(zeros: [10]))
    /// ```
    public init(name: String, weight: Tensor, bias: Tensor?) {
        self.weight = Variable(parameter: weight, name: name + ".weight")
        self.bias = bias.map { Variable(parameter: $0, name: name + ".bias") }
    }

    /// I, the width of each input row (weight.shape[1]).
    public var inputFeatures: Int { weight.shape[1] }
    /// O, the width of each output row (weight.shape[0]).
    public var outputFeatures: Int { weight.shape[0] }
    /// weight, then bias if present (state_dict order).
    public var ownParameters: [Variable] { [weight] + (bias.map { [$0] } ?? []) }

    /// y = x W^T + b: input [N, I], output [N, O]; passed through `context.layerOutputHook`.
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try context.hooked(self, input: input, output: try linear(input, weight: try trainingWeight(), bias: bias))
    }

    /// The weight, or W ⊙ `weightMask` while gradients are recorded.
    private func trainingWeight() throws -> Variable {
        guard let weightMask, GradientMode.isEnabled else { return weight }
        return try multiplyMask(weight, by: weightMask)
    }
}
