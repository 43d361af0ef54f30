/// A node of the reverse-mode tape: a value, its accumulated gradient, and how to send a gradient back.
///
/// Ops create a `Variable` whose `parents` are their differentiable inputs and whose `backwardFunction`
/// receives d(loss)/d(this value) and *adds* into the parents' gradients (STYLE.md rule 2: fan-out in
/// residual networks is then correct by construction). Parameters are leaf variables with a `name`
/// (`layer1.0.conv1.weight`) whose gradients persist until `zeroGradient()`.
///
/// ```swift
/// let w = Variable(Tensor.ramp(shape: [3]), name: "w")
/// let y = try (w * w).sum()       // via ops
/// try y.backward()                // w.gradient == 2w
/// ```
public final class Variable {
    /// The forward value.
    public var value: Tensor
    /// d(loss)/d(value), accumulated by backward; nil until something flows in (or after zeroing).
    public var gradient: Tensor?
    /// Whether gradients are wanted for this node (parameters: true; data: false).
    public var requiresGradient: Bool
    /// Dotted PyTorch-style name for parameters; empty for intermediate nodes.
    public var name: String
    /// Op that produced this node ("conv2d", "relu", ...; "leaf" for inputs and parameters).
    public let operation: String
    /// Differentiable inputs of the op that produced this node.
    public let parents: [Variable]
    /// Receives d(loss)/d(value) and accumulates into `parents`' gradients.
    let backwardFunction: ((Tensor) -> Void)?

    /// A leaf: an input or a parameter.
    public init(_ value: Tensor, name: String = "", requiresGradient: Bool = false) {
        self.value = value
        self.name = name
        self.requiresGradient = requiresGradient
        operation = "leaf"
        parents = []
        backwardFunction = nil
    }

    /// A parameter: a named leaf that requires gradients.
    public convenience init(parameter value: Tensor, name: String) {
        self.init(value, name: name, requiresGradient: true)
    }

    /// An op's output. When gradients are disabled or no parent needs one, the node is recorded as a
    /// constant and the backward closure is dropped (so eval mode keeps no graph alive).
    init(_ value: Tensor, operation: String, parents: [Variable], backward: @escaping (Tensor) -> Void) {
        Profiler.markOperation(operation)
        self.value = value
        self.name = ""
        self.operation = operation
        let recording = GradientMode.isEnabled && parents.contains { $0.requiresGradient }
        requiresGradient = recording
        self.parents = recording ? parents : []
        backwardFunction = recording ? backward : nil
    }

    /// Shape of the value.
    public var shape: [Int] { value.shape }

    /// gradient += contribution (allocating it on first use). Shapes must agree; ops guarantee it.
    public func accumulateGradient(_ contribution: Tensor) {
        guard requiresGradient else { return }
        if gradient == nil {
            gradient = contribution
        } else {
            precondition(gradient!.shape == contribution.shape, "gradient shape \(contribution.shape) for \(value.shape)")
            gradient!.withUnsafeMutableBufferPointer { target in
                contribution.withUnsafeBufferPointer { source in
                    // Residual streams add MBs here on every block: split across threads like other elementwise work.
                    let (x, y) = (source.baseAddress!, target.baseAddress!)
                    Parallel.forEachChunk(count: source.count, minimumPerChunk: Parallel.elementwiseGrain) { _, range in
                        axpy(1, x + range.lowerBound, y + range.lowerBound, range.count)
                    }
                }
            }
        }
    }

    /// Drops the accumulated gradient (the trainer's explicit zeroing step).
    public func zeroGradient() { gradient = nil }
}
