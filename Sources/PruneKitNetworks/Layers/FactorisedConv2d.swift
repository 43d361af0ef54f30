import PruneKitCore

/// A convolution factorised into three: rotation-in (1x1, C -> r_in), core (K x K with the stride and padding,
/// r_in -> r_out), rotation-out (1x1, r_out -> OC, with the bias if any): y = W_out * (W_core * (W_in * x)).
/// EigenDamage (Wang et al., ICML 2019) rewrites a conv this way in its Kronecker-factored eigenbasis and prunes the
/// inner ranks. The three convolutions are `name.rotation_in`, `name.core`, `name.rotation_out` in the state_dict.
///
/// Shape contract: [N, C, H, W] -> [N, OC, (H + 2P - K) / S + 1, (W + 2P - K) / S + 1].
///
/// ```swift
/// let layer = FactorisedConv2d(rotationIn: a, core: b, rotationOut: c)
/// let y = try layer(x, ForwardContext(training: true))
/// ```
public final class FactorisedConv2d: Layer {
    /// 1x1, C -> r_in.
    public let rotationIn: Conv2d
    /// K x K, r_in -> r_out.
    public let core: Conv2d
    /// 1x1, r_out -> OC.
    public let rotationOut: Conv2d

    /// A layer from its three convolutions (named by the caller).
    public init(rotationIn: Conv2d, core: Conv2d, rotationOut: Conv2d) {
        (self.rotationIn, self.core, self.rotationOut) = (rotationIn, core, rotationOut)
    }

    /// rotation_in, core, rotation_out (state_dict order).
    public var children: [Layer] { [rotationIn, core, rotationOut] }

    /// OC.
    public var outputChannels: Int { rotationOut.outputChannels }

    /// rotation_out(core(rotation_in(x))), each passed through the context's hook.
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try rotationOut(try core(try rotationIn(input, context), context), context)
    }

    /// Evaluation without gradients: the first two as plain inference convolutions, the last fused with
    /// `batchNorm`, `residual` and `relu` (`Conv2d.inference`).
    public func inference(_ input: Variable, batchNorm: BatchNorm?, residual: Variable? = nil, relu: Bool,
                          _ context: ForwardContext) throws -> Variable {
        let rotated = try rotationIn.inference(input, batchNorm: nil, relu: false, context)
        let inner = try core.inference(rotated, batchNorm: nil, relu: false, context)
        return try rotationOut.inference(inner, batchNorm: batchNorm, residual: residual, relu: relu, context)
    }
}
