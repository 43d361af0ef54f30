// Legend: N batch, C input channels, OC output channels, OH x OW output.

/// Inference convolution with batch norm folded into the weights and the residual add and ReLU fused into
/// the kernel's epilogue (Jacob et al., CVPR 2018, section 3.2, for the folding):
///
///     a = gamma / sqrt(runningVar + eps),  W'[o] = a[o] W[o],  b'[o] = a[o] (bias[o] - runningMean[o]) + beta[o]
///     y = act(conv(x, W') + b' + residual)        act = ReLU or identity
///
/// Shapes as `conv2d`; residual [N, OC, OH, OW] or nil. One pass over the output instead of conv, BN, add and
/// ReLU passes. Records no tape, so it throws when gradients are being recorded: layers call it only for
/// evaluation (`ForwardContext.training == false` inside `GradientMode.withoutGradients`).
///
/// ```swift
/// let y = try GradientMode.withoutGradients {
///     try conv2dInference(x, weight: w, bias: nil, stride: 1, padding: 1, batchNorm: folding, residual: r, relu: true)
/// }
/// ```
public func conv2dInference(_ input: Variable, weight: Tensor, bias: Tensor?, stride: Int, padding: Int,
                            batchNorm: BatchNormFolding?, residual: Variable?, relu: Bool) throws -> Variable {
    guard !GradientMode.isEnabled else {
        throw PruneKitError.invalidArgument(operation: "conv2dInference", message: "records no gradients: call it inside GradientMode.withoutGradients")
    }
    let geometry = try conv2dGeometry(input.shape, weight.shape, bias?.shape, stride: stride, padding: padding)
    let shape = [input.shape[0], weight.shape[0], geometry.outputHeight, geometry.outputWidth]
    if let residual, residual.shape != shape {
        throw PruneKitError.shapeMismatch(operation: "conv2dInference", expected: "residual \(shape)", found: "\(residual.shape)")
    }
    let (foldedWeight, foldedBias) = try batchNorm.map { try $0.fold(weight: weight, bias: bias) } ?? (weight, bias)
    var output = Tensor(zeros: shape, zeroed: false)
    if ConvolutionKernels.isEnabled, let plan = ConvolutionTapPlan(geometry) {
        conv2dForwardDirect(input.value, foldedWeight, foldedBias, plan, &output, residual: residual?.value, relu: relu)
    } else {
        conv2dForward(input.value, foldedWeight, foldedBias, geometry, &output)
        if let residual { try output.addScaled(residual.value) }
        if relu { output.withUnsafeMutableBufferPointer { y in reluForward(y.baseAddress!, y.baseAddress!, 0..<y.count) } }
    }
    return Variable(output, operation: "conv2dInference", parents: []) { _ in }
}

/// The per-channel affine map of an evaluation-mode batch norm, y = a x + b with a = gamma / sqrt(var + eps) and
/// b = beta - mean a, and its folding into the preceding convolution.
public struct BatchNormFolding {
    /// a[o] and b[o], [OC] each.
    public let scale, shift: [Float]

    /// The folding of a batch norm with parameters gamma (`scale`), beta (`shift`) and running statistics.
    public init(scale: Tensor, shift: Tensor, statistics: BatchNormStatistics, epsilon: Float) {
        let count = scale.count
        var a = [Float](repeating: 0, count: count), b = [Float](repeating: 0, count: count)
        for o in 0..<count {
            a[o] = scale[flat: o] / (statistics.runningVariance[flat: o] + epsilon).squareRoot()
            b[o] = shift[flat: o] - statistics.runningMean[flat: o] * a[o]
        }
        (self.scale, self.shift) = (a, b)
    }

    /// (W', b') with W'[o] = a[o] W[o] and b'[o] = a[o] bias[o] + b[o]; weight [OC, ...], bias [OC] or nil.
    public func fold(weight: Tensor, bias: Tensor?) throws -> (Tensor, Tensor) {
        guard weight.shape.first == scale.count, bias == nil || bias!.shape == [scale.count] else {
            throw PruneKitError.shapeMismatch(operation: "BatchNormFolding.fold", expected: "weight [\(scale.count), ...] and bias [\(scale.count)]",
                                              found: "weight \(weight.shape), bias \(bias?.shape ?? [])")
        }
        var folded = weight
        let perOutput = weight.count / max(scale.count, 1)
        folded.withUnsafeMutableBufferPointer { w in
            for o in 0..<scale.count { for i in 0..<perOutput { w[o * perOutput + i] *= scale[o] } }
        }
        let foldedBias = (0..<scale.count).map { o in scale[o] * (bias?[flat: o] ?? 0) + shift[o] }
        return (folded, try Tensor(shape: [scale.count], scalars: foldedBias))
    }
}
