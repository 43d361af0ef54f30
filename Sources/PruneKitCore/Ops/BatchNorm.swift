// Legend: N batch, C channels (features), S spatial size H*W (1 for [N, C] input), M = N*S values per channel.

/// Running statistics of a batch-norm layer: buffers, not parameters (STYLE.md rule 12).
public final class BatchNormStatistics {
    /// Exponential running mean of the batch means, [C].
    public var runningMean: Tensor
    /// Exponential running mean of the unbiased batch variances, [C].
    public var runningVariance: Tensor
    /// Number of training batches seen (PyTorch's num_batches_tracked).
    public var batchesTracked: Int = 0

    /// Fresh statistics for `channels` channels: mean 0, variance 1.
    public init(channels: Int) {
        runningMean = Tensor(zeros: [channels])
        runningVariance = Tensor(repeating: 1, shape: [channels])
    }

    /// Statistics with given running mean and variance ([C] each), batchesTracked 0.
    public init(runningMean: Tensor, runningVariance: Tensor) {
        self.runningMean = runningMean
        self.runningVariance = runningVariance
    }
}

/// Batch normalisation over NCHW input or [N, C] features (Ioffe and Szegedy, ICML 2015).
///
/// Training: mu, var = batch mean and biased variance per channel over M = N*H*W values;
/// xhat = (x - mu) / sqrt(var + eps); y = gamma * xhat + beta; running stats move by `momentum`
/// (running = (1 - momentum) * running + momentum * batch, with the unbiased variance M/(M-1) var, as PyTorch).
/// Evaluation: the running statistics replace the batch ones and are not updated.
///
/// Backward (training): dx = gamma * invStd / M * (M dy - sum dy - xhat sum(dy xhat));
/// dgamma = sum dy xhat; dbeta = sum dy. Caches per-channel mean and invStd only; xhat is recomputed.
/// Channels run in parallel with SIMD16 loops (`BatchNormKernels`); `batchNormReference` is the plain version.
///
/// ```swift
/// let y = try batchNorm(x, scale: gamma, shift: beta, statistics: stats, training: true)
/// ```
public func batchNorm(_ input: Variable, scale: Variable, shift: Variable, statistics: BatchNormStatistics,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) throws -> Variable {
    try batchNormActivation(input, scale, shift, statistics, training, residual: nil, relu: false, momentum, epsilon)
}

/// Batch normalisation, an optional residual add, then ReLU, as one primitive:
/// y = max(gamma * xhat + beta + residual, 0), with xhat as in `batchNorm` and residual [N, C, H, W] or nil.
///
/// Fusing saves two passes over memory each way and the intermediate tensor the separate ops keep for
/// backward. Backward: dz = dy where y > 0, else 0; dresidual = dz; then `batchNorm`'s backward with dz.
/// Caches per-channel mean and invStd, and reads its own output y for the ReLU mask.
///
/// ```swift
/// let h = try batchNormReLU(conv, scale: gamma, shift: beta, statistics: stats, training: true)
/// let out = try batchNormReLU(conv2, scale: g2, shift: b2, statistics: s2, training: true, residual: shortcut)
/// ```
public func batchNormReLU(_ input: Variable, scale: Variable, shift: Variable, statistics: BatchNormStatistics,
                          training: Bool, residual: Variable? = nil, momentum: Float = 0.1,
                          epsilon: Float = 1e-5) throws -> Variable {
    try batchNormActivation(input, scale, shift, statistics, training, residual: residual, relu: true, momentum, epsilon)
}

private func batchNormActivation(_ input: Variable, _ scale: Variable, _ shift: Variable, _ statistics: BatchNormStatistics,
                                 _ training: Bool, residual: Variable?, relu: Bool, _ momentum: Float,
                                 _ epsilon: Float) throws -> Variable {
    let shape = input.shape
    let operation = relu ? "batchNormReLU" : "batchNorm"
    guard shape.count == 2 || shape.count == 4, scale.shape == [shape[1]], shift.shape == [shape[1]],
          statistics.runningMean.shape == [shape[1]], residual == nil || residual!.shape == shape else {
        throw PruneKitError.shapeMismatch(operation: operation, expected: "input [N, C] or [N, C, H, W] with scale, shift and statistics [C]"
                                          + (residual == nil ? "" : " and residual of the input's shape"),
                                          found: "input \(shape), scale \(scale.shape), shift \(shift.shape), statistics \(statistics.runningMean.shape)"
                                          + (residual.map { ", residual \($0.shape)" } ?? ""))
    }
    let (N, C, S) = (shape[0], shape[1], shape.count == 4 ? shape[2] * shape[3] : 1)
    if training && N * S < 2 {
        throw PruneKitError.invalidArgument(operation: operation, message: "training needs more than one value per channel, got input \(shape)")
    }
    let x = UnsafePointer(input.value.storage.pointer)
    var mean = [Float](repeating: 0, count: C), invStd = [Float](repeating: 0, count: C)
    if !training {
        for c in 0..<C {
            mean[c] = statistics.runningMean[flat: c]
            invStd[c] = 1 / (statistics.runningVariance[flat: c] + epsilon).squareRoot()
        }
    }
    var output = Tensor(zeros: shape, zeroed: false)
    let (gamma, beta) = (scale.value.storage.pointer, shift.value.storage.pointer)
    let r = residual.map { UnsafePointer($0.value.storage.pointer) }
    let y = output.withUnsafeMutableBufferPointer { $0.baseAddress! }
    mean.withUnsafeMutableBufferPointer { mean in invStd.withUnsafeMutableBufferPointer { invStd in
        forEachChannel(N, C, S) { c in
            // Statistics, then the normalisation right away: the channel's planes are still in L2/L3.
            if training {
                let (mu, variance) = BatchNormKernels.meanAndVariance(x, channel: c, N, C, S)
                (mean[c], invStd[c]) = (mu, 1 / (variance + epsilon).squareRoot())
            }
            let a = gamma[c] * invStd[c]
            BatchNormKernels.affine(x, y, channel: c, N, C, S, a: a, b: beta[c] - mean[c] * a, residual: r, relu: relu)
        }
    } }
    if training { updateRunningStatistics(statistics, mean, invStd, N * S, momentum, epsilon) }
    let parents = [input, scale, shift] + (residual.map { [$0] } ?? [])
    return Variable(output, operation: operation, parents: parents) { dy in
        batchNormActivationBackward(dy, output: relu ? output : nil, input, scale, shift, residual, mean, invStd, training)
    }
}

/// dz = dy (masked by y > 0 when `output` is the ReLU output); dresidual += dz; dgamma += sum dz xhat;
/// dbeta += sum dz; dx += gamma invStd (dz - mean(dz) - xhat mean(dz xhat)) in training, gamma invStd dz in eval.
private func batchNormActivationBackward(_ dy: Tensor, output: Tensor?, _ input: Variable, _ scale: Variable,
                                         _ shift: Variable, _ residual: Variable?, _ mean: [Float], _ invStd: [Float],
                                         _ training: Bool) {
    let shape = input.shape
    let (N, C, S) = (shape[0], shape[1], shape.count == 4 ? shape[2] * shape[3] : 1)
    let (x, g, y) = (UnsafePointer(input.value.storage.pointer), UnsafePointer(dy.storage.pointer), output.map { UnsafePointer($0.storage.pointer) })
    let (gamma, beta) = (scale.value.storage.pointer, shift.value.storage.pointer)
    var sumDz = [Float](repeating: 0, count: C), sumDzXhat = [Float](repeating: 0, count: C)
    let wantResidual = residual?.requiresGradient ?? false, wantInput = input.requiresGradient || wantResidual
    var dx = wantInput ? Tensor(zeros: shape, zeroed: false) : nil
    var dr = wantResidual ? Tensor(zeros: shape, zeroed: false) : nil
    let dxPointer = dx?.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let drPointer = dr?.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let M = Float(N * S)
    sumDz.withUnsafeMutableBufferPointer { sumDz in sumDzXhat.withUnsafeMutableBufferPointer { sumDzXhat in
        forEachChannel(N, C, S) { c in
            // Without a residual the ReLU mask is recomputed from x (one stream less than reading y).
            let a = gamma[c] * invStd[c]
            let mask: BatchNormKernels.Mask = y.map { residual == nil ? .affine(a: a, b: beta[c] - mean[c] * a) : .output($0) } ?? .none
            let (s1, s2) = BatchNormKernels.gradientSums(g, mask, x, channel: c, N, C, S, mean: mean[c])
            (sumDz[c], sumDzXhat[c]) = (Float(s1), Float(s2) * invStd[c])
            // dx = k (dz - sumDz/M - xhat sumDzXhat/M) = p dz + q x + s with xhat = (x - mean) invStd, k = a,
            // computed right after the sums while the channel's planes are still cached.
            guard let dxPointer else { return }
            let q = training ? -a * invStd[c] * sumDzXhat[c] / M : 0
            let s = training ? -a * sumDz[c] / M - q * mean[c] : 0
            BatchNormKernels.inputGradient(g, mask, x, dxPointer, drPointer, channel: c, N, C, S, p: a, q: q, s: s)
        }
    } }
    if let dx, input.requiresGradient { input.accumulateGradient(dx) }
    if let dr, let residual { residual.accumulateGradient(dr) }
    if scale.requiresGradient { scale.accumulateGradient(try! Tensor(shape: [C], scalars: sumDzXhat)) }
    if shift.requiresGradient { shift.accumulateGradient(try! Tensor(shape: [C], scalars: sumDz)) }
}

/// Runs body(c) for every channel, in parallel when each thread gets at least ~64K values.
@inline(__always)
private func forEachChannel(_ N: Int, _ C: Int, _ S: Int, _ body: (Int) -> Void) {
    Parallel.forEachChunk(count: C, minimumPerChunk: max(1, 65_536 / max(N * S, 1))) { _, channels in
        for c in channels { body(c) }
    }
}
