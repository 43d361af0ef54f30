// Legend: N batch, C channels (features), S spatial size H*W (1 for [N, C] input), M = N*S values per channel.

/// The plain-loop batch normalisation that `batchNorm` replaced: the reference the tests compare the SIMD,
/// channel-parallel kernels of `BatchNormKernels` with. Same contract as `batchNorm` (two passes for the
/// statistics, scalar loops, one thread).
func batchNormReference(_ input: Variable, scale: Variable, shift: Variable, statistics: BatchNormStatistics,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) throws -> Variable {
    let shape = input.shape
    guard shape.count == 2 || shape.count == 4, scale.shape == [shape[1]], shift.shape == [shape[1]],
          statistics.runningMean.shape == [shape[1]] else {
        throw PruneKitError.shapeMismatch(operation: "batchNorm", expected: "input [N, C] or [N, C, H, W] with scale, shift and statistics [C]",
                                          found: "input \(shape), scale \(scale.shape), shift \(shift.shape), statistics \(statistics.runningMean.shape)")
    }
    let (N, C, S) = (shape[0], shape[1], shape.count == 4 ? shape[2] * shape[3] : 1)
    let M = N * S
    if training && M < 2 {
        throw PruneKitError.invalidArgument(operation: "batchNorm", message: "training needs more than one value per channel, got input \(shape)")
    }
    var mean = [Float](repeating: 0, count: C), invStd = [Float](repeating: 0, count: C)
    let x = input.value.storage.pointer
    if training {
        batchNormStatistics(x, N, C, S, &mean, &invStd, epsilon)
        updateRunningStatistics(statistics, mean, invStd, M, momentum, epsilon)
    } else {
        for c in 0..<C {
            mean[c] = statistics.runningMean[flat: c]
            invStd[c] = 1 / (statistics.runningVariance[flat: c] + epsilon).squareRoot()
        }
    }
    var output = Tensor(zeros: shape, zeroed: false)
    output.withUnsafeMutableBufferPointer { y in
        let (gamma, beta) = (scale.value.storage.pointer, shift.value.storage.pointer)
        for n in 0..<N { for c in 0..<C {
            let a = gamma[c] * invStd[c], b = beta[c] - mean[c] * a, base = (n * C + c) * S
            for i in 0..<S { y[base + i] = x[base + i] * a + b }
        } }
    }
    return Variable(output, operation: "batchNorm", parents: [input, scale, shift]) { dy in
        batchNormBackward(dy.storage.pointer, input, scale, shift, mean, invStd, N, C, S, training)
    }
}

private func batchNormStatistics(_ x: UnsafePointer<Float>, _ N: Int, _ C: Int, _ S: Int,
                                 _ mean: inout [Float], _ invStd: inout [Float], _ epsilon: Float) {
    let M = Double(N * S)
    for c in 0..<C {
        var total: Float = 0
        for n in 0..<N { total += simdSum(x + (n * C + c) * S, S) }
        let mu = Float(Double(total) / M)
        var squares: Float = 0
        for n in 0..<N {
            let row = x + (n * C + c) * S
            var accumulator: Float = 0
            for i in 0..<S { let d = row[i] - mu; accumulator += d * d }
            squares += accumulator
        }
        mean[c] = mu
        invStd[c] = 1 / (Float(Double(squares) / M) + epsilon).squareRoot()
    }
}

func updateRunningStatistics(_ statistics: BatchNormStatistics, _ mean: [Float], _ invStd: [Float],
                                     _ M: Int, _ momentum: Float, _ epsilon: Float) {
    let correction = Float(M) / Float(M - 1)
    statistics.runningMean.withUnsafeMutableBufferPointer { rm in
        statistics.runningVariance.withUnsafeMutableBufferPointer { rv in
            for c in 0..<mean.count {
                let variance = 1 / (invStd[c] * invStd[c]) - epsilon
                rm[c] = (1 - momentum) * rm[c] + momentum * mean[c]
                rv[c] = (1 - momentum) * rv[c] + momentum * variance * correction
            }
        }
    }
    statistics.batchesTracked += 1
}

private func batchNormBackward(_ dy: UnsafePointer<Float>, _ input: Variable, _ scale: Variable, _ shift: Variable,
                               _ mean: [Float], _ invStd: [Float], _ N: Int, _ C: Int, _ S: Int, _ training: Bool) {
    let x = input.value.storage.pointer, gamma = scale.value.storage.pointer
    var sumDy = [Float](repeating: 0, count: C), sumDyXhat = [Float](repeating: 0, count: C)
    for n in 0..<N { for c in 0..<C {
        let base = (n * C + c) * S
        var a: Float = 0, b: Float = 0
        for i in 0..<S { a += dy[base + i]; b += dy[base + i] * (x[base + i] - mean[c]) }
        sumDy[c] += a
        sumDyXhat[c] += b * invStd[c]
    } }
    if input.requiresGradient {
        var dx = Tensor(zeros: input.shape, zeroed: false)
        let M = Float(N * S)
        dx.withUnsafeMutableBufferPointer { dx in
            for n in 0..<N { for c in 0..<C {
                let base = (n * C + c) * S, k = gamma[c] * invStd[c]
                if training {
                    let meanDy = sumDy[c] / M, meanDyXhat = sumDyXhat[c] / M
                    for i in 0..<S {
                        let xhat = (x[base + i] - mean[c]) * invStd[c]
                        dx[base + i] = k * (dy[base + i] - meanDy - xhat * meanDyXhat)
                    }
                } else {
                    for i in 0..<S { dx[base + i] = k * dy[base + i] }
                }
            } }
        }
        input.accumulateGradient(dx)
    }
    if scale.requiresGradient { scale.accumulateGradient(try! Tensor(shape: [C], scalars: sumDyXhat)) }
    if shift.requiresGradient { shift.accumulateGradient(try! Tensor(shape: [C], scalars: sumDy)) }
}
