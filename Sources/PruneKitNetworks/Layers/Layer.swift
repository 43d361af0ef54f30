import PruneKitCore

/// What a forward pass needs besides its input: train or eval mode, and the generator that dropout
/// draws from (so the same seed drops the same units).
public final class ForwardContext {
    /// Training mode: batch-norm uses batch statistics and updates its running ones; dropout is active.
    public var training: Bool
    /// Source of every random choice made during forward passes.
    public var generator: SplitMix64
    /// Optional observer of every Conv2d, Linear and BatchNorm forward, like PyTorch's forward hooks: it gets the
    /// layer, its input and its output and returns the output to pass on (the same one, or a gated one). Pruning
    /// uses it to capture activations (Taylor), attach gates (block and channel gates) and count FLOPs. nil
    /// (the default) costs one branch per layer.
    public var layerOutputHook: ((_ layer: Layer, _ input: Variable, _ output: Variable) throws -> Variable)?

    /// Batch-norm-folded, packed convolution weights shared by the sub-batches of one inference call (set by
    /// `Model.forward` around its per-thread path; nil: each `Conv2d.inference` prepares its own).
    public var inferenceWeights: InferenceWeightCache?

    /// A context for training (`training: true`) or evaluation.
    public init(training: Bool, generator: SplitMix64 = SplitMix64(seed: 0)) {
        self.training = training
        self.generator = generator
    }

    /// `layerOutputHook(layer, input, output)`, or `output` when no hook is set.
    @inline(__always)
    public func hooked(_ layer: Layer, input: Variable, output: Variable) throws -> Variable {
        guard let hook = layerOutputHook else { return output }
        return try hook(layer, input, output)
    }

    /// Evaluation with gradients off: layers may then fold batch norm into convolutions and fuse ReLU and
    /// residual adds (`Conv2d.inference`), which records no tape. Never while `layerOutputHook` is set: a hook
    /// must see every Conv2d, Linear and BatchNorm output exactly as the unfused network computes it.
    public var fusesInference: Bool { !training && !GradientMode.isEnabled && layerOutputHook == nil }
}

/// A network piece: parameters plus a forward function. Layers hold no backward code (the ops do) and
/// no pruning code (STYLE.md rule 7). Parameters are explicit and named at construction
/// (`layer1.0.conv1.weight`), enumerated by walking `children` in order: no reflection.
public protocol Layer: AnyObject {
    /// The forward pass. Shape contracts are those of the underlying ops.
    func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable
    /// This layer's own parameters, in state_dict order (children's are not included).
    var ownParameters: [Variable] { get }
    /// Sub-layers, in forward order.
    var children: [Layer] { get }
}

extension Layer {
    /// Default: none (parameter-free layers and containers).
    public var ownParameters: [Variable] { [] }
    /// Default: none (leaf layers).
    public var children: [Layer] { [] }

    /// Every parameter of this layer and its descendants, depth first, in state_dict order.
    public var parameters: [Variable] { ownParameters + children.flatMap { $0.parameters } }

    /// This layer and all its descendants, depth first (parents before children).
    public var allLayers: [Layer] { [self] + children.flatMap { $0.allLayers } }

    /// Drops every parameter's gradient (the trainer's explicit zeroing step).
    public func zeroGradients() { for parameter in parameters { parameter.zeroGradient() } }

    /// Total number of parameter scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
