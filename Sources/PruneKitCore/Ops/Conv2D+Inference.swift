import Foundation

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
                            batchNorm: BatchNormFolding?, residual: Variable?, relu: Bool,
                            columns: ConvolutionColumns? = nil) throws -> Variable {
    let geometry = try conv2dGeometry(input.shape, weight.shape, bias?.shape, stride: stride, padding: padding)
    let prepared = try PreparedConvolutionWeights(weight: weight, bias: bias, batchNorm: batchNorm, geometry: geometry,
                                                  columns: columns)
    return try conv2dInference(input, prepared, residual: residual, relu: relu)
}

/// `conv2dInference` with the folding (and packing) already done: the form the per-thread inference path
/// uses, preparing each layer's weights once per forward call (`InferenceWeightCache`) instead of per sub-batch.
package func conv2dInference(_ input: Variable, _ prepared: PreparedConvolutionWeights, residual: Variable?, relu: Bool) throws -> Variable {
    guard !GradientMode.isEnabled else {
        throw PruneKitError.invalidArgument(operation: "conv2dInference", message: "records no gradients: call it inside GradientMode.withoutGradients")
    }
    let weight = prepared.weight
    let geometry = try conv2dGeometry(input.shape, weight.shape, prepared.bias?.shape, stride: prepared.geometry.stride,
                                      padding: prepared.geometry.padding)
    guard geometry == prepared.geometry else {
        throw PruneKitError.shapeMismatch(operation: "conv2dInference", expected: "input of \(prepared.geometry)", found: "\(input.shape)")
    }
    let shape = [input.shape[0], weight.shape[0], geometry.outputHeight, geometry.outputWidth]
    if let residual, residual.shape != shape {
        throw PruneKitError.shapeMismatch(operation: "conv2dInference", expected: "residual \(shape)", found: "\(residual.shape)")
    }
    var output = Tensor(zeros: shape, zeroed: false)
    if let plan = prepared.plan, let packed = prepared.packed {
        conv2dForwardDirect(input.value, weight, prepared.bias, plan, &output, residual: residual?.value, relu: relu, packed: packed)
    } else {
        conv2dForward(input.value, weight, prepared.bias, geometry, &output)
        if let residual { try output.addScaled(residual.value) }
        if relu { output.withUnsafeMutableBufferPointer { y in reluForward(y.baseAddress!, y.baseAddress!, 0..<y.count) } }
    }
    return Variable(output, operation: "conv2dInference", parents: []) { _ in }
}

/// One convolution's inference weights: W' and b' with batch norm folded in (`BatchNormFolding.fold`), and,
/// where the direct kernels run, W' packed for them (`pk_pack_weights`, or only the kept columns of a column-sparse
/// convolution, whose pruned columns are zeroed first). Shapes: weight [OC, C, KH, KW], bias [OC].
package final class PreparedConvolutionWeights {
    let weight: Tensor
    let bias: Tensor?
    /// The input geometry the packing was made for (taps depend on stride, padding and kernel).
    let geometry: WindowGeometry
    let plan: ConvolutionTapPlan?
    let packed: Tensor?

    package init(weight: Tensor, bias: Tensor?, batchNorm: BatchNormFolding?, geometry: WindowGeometry,
                 columns: ConvolutionColumns? = nil) throws {
        if let columns, !columns.fits(weight.shape) {
            throw PruneKitError.shapeMismatch(operation: "conv2dInference", expected: "kept columns of a weight [OC, \(columns.channels), KH, KW]",
                                              found: "weight \(weight.shape)")
        }
        let plan = ConvolutionKernels.isEnabled ? ConvolutionTapPlan(geometry, columns: columns) : nil
        let masked = plan == nil ? columns.map { $0.masked(weight) } ?? weight : weight  // packing reads kept columns only
        let (folded, foldedBias) = try batchNorm.map { try $0.fold(weight: masked, bias: bias) } ?? (masked, bias)
        (self.weight, self.bias, self.geometry, self.plan) = (folded, foldedBias, geometry, plan)
        packed = plan.map { ConvolutionKernels.pack(folded, plan: $0) }
    }
}

/// Prepared weights of each convolution layer for the duration of one forward call, shared by the threads
/// that run sub-batches of it (`Model.forward`); weights cannot change within a call. Keyed by layer identity
/// and input geometry.
public final class InferenceWeightCache {
    private struct Key: Hashable {
        let layer: ObjectIdentifier
        let geometry: WindowGeometry
    }
    private var entries: [Key: PreparedConvolutionWeights] = [:]
    private let lock = NSLock()

    /// An empty cache.
    public init() {}

    /// The entry for `layer` at `geometry`, made by `make` on first use (under the lock: the other thread
    /// would wait for the same weights anyway).
    package func weights(for layer: AnyObject, geometry: WindowGeometry,
                 _ make: () throws -> PreparedConvolutionWeights) rethrows -> PreparedConvolutionWeights {
        lock.lock()
        defer { lock.unlock() }
        let key = Key(layer: ObjectIdentifier(layer), geometry: geometry)
        if let entry = entries[key] { return entry }
        let entry = try make()
        entries[key] = entry
        return entry
    }
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
        var folded = Tensor(zeros: weight.shape, zeroed: false)
        let perOutput = weight.count / max(scale.count, 1)
        folded.withUnsafeMutableBufferPointer { target in
            let (source, w) = (weight.storage.pointer, target.baseAddress!)
            scale.withUnsafeBufferPointer { a in
                for o in 0..<a.count {
                    let factor = a[o], base = o * perOutput
                    for i in base..<(base + perOutput) { w[i] = source[i] * factor }
                }
            }
        }
        let foldedBias = (0..<scale.count).map { o in scale[o] * (bias?[flat: o] ?? 0) + shift[o] }
        return (folded, try Tensor(shape: [scale.count], scalars: foldedBias))
    }
}
