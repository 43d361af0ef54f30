// Legend: N batch, C input channels, H x W input, OC output channels (filters), KH x KW kernel,
// OH x OW output. Weight layout OIHW as in PyTorch.

/// 2-D convolution (cross-correlation, as in PyTorch's `conv2d`, groups = 1) by im2col + sgemm.
///
/// y[n, o, i, j] = b[o] + sum_{c,kh,kw} w[o, c, kh, kw] * x[n, c, i*S - P + kh, j*S - P + kw]
///
/// Shapes: input [N, C, H, W], weight [OC, C, KH, KW], bias [OC] or nil; output [N, OC, OH, OW] with
/// OH = (H + 2P - KH) / S + 1. Each image is lowered to cols [C*KH*KW, OH*OW] and multiplied as
/// W[OC, C*KH*KW] * cols, which writes NCHW output directly; images are split across threads, each with
/// its own cols buffer (per-image products stay in cache: ../shared/perf/README.md). Backward recomputes
/// cols instead of caching them for the whole batch, trading one im2col for O(N*C*KH*KW*OH*OW) memory.
///
/// With `columns` (kept im2col columns, `ConvolutionColumns`) the convolution uses W ⊙ M, M the 0/1 column mask:
/// the direct kernels multiply only the kept columns (forward and weight gradient; the input gradient skips the taps
/// no channel keeps), and the gradient of every pruned column is exactly 0.
///
/// ```swift
/// let y = try conv2d(x, weight: w, bias: nil, stride: 2, padding: 1)
/// ```
public func conv2d(_ input: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0,
                   columns: ConvolutionColumns? = nil) throws -> Variable {
    let geometry = try conv2dGeometry(input.shape, weight.shape, bias?.shape, stride: stride, padding: padding)
    if let columns, !columns.fits(weight.shape) {
        throw PruneKitError.shapeMismatch(operation: "conv2d", expected: "kept columns of a weight [OC, \(columns.channels), KH, KW] with KH*KW = \(columns.kernelArea)",
                                          found: "weight \(weight.shape)")
    }
    let (batch, outputChannels) = (input.shape[0], weight.shape[0])
    let plan = ConvolutionKernels.isEnabled ? ConvolutionTapPlan(geometry, columns: columns) : nil
    // The direct kernels read only kept columns (forward packing, per-tap adjoint rows); im2col needs W ⊙ M.
    let masked = plan == nil ? columns.map { $0.masked(weight.value) } ?? weight.value : weight.value
    var output = Tensor(zeros: [batch, outputChannels, geometry.outputHeight, geometry.outputWidth], zeroed: false)
    if let plan {
        conv2dForwardDirect(input.value, masked, bias?.value, plan, &output)
    } else {
        conv2dForward(input.value, masked, bias?.value, geometry, &output)
    }
    let parents = [input, weight] + (bias.map { [$0] } ?? [])
    return Variable(output, operation: "conv2d", parents: parents) { outputGradient in
        conv2dBackward(outputGradient, input: input, weight: weight, weightValue: masked, bias: bias, geometry: geometry, plan: plan)
        if let columns, weight.requiresGradient, plan?.columns == nil || plan!.pitchesOutput || plan!.shiftsColumns {
            weight.gradient.map { gradient in var gradient = gradient; columns.zeroPruned(&gradient); weight.gradient = gradient }
        }
    }
}

package func conv2dGeometry(_ input: [Int], _ weight: [Int], _ bias: [Int]?, stride: Int, padding: Int) throws -> WindowGeometry {
    guard input.count == 4, weight.count == 4 else {
        throw PruneKitError.shapeMismatch(operation: "conv2d", expected: "input [N, C, H, W] and weight [OC, C, KH, KW]",
                                          found: "input \(input), weight \(weight)")
    }
    guard input[1] == weight[1] else {
        throw PruneKitError.shapeMismatch(operation: "conv2d", expected: "input channels \(weight[1]) (weight \(weight))",
                                          found: "input channels \(input[1]) (input \(input))")
    }
    if let bias, bias != [weight[0]] {
        throw PruneKitError.shapeMismatch(operation: "conv2d", expected: "bias [\(weight[0])]", found: "bias \(bias)")
    }
    guard stride >= 1, padding >= 0 else {
        throw PruneKitError.invalidArgument(operation: "conv2d", message: "stride must be >= 1 and padding >= 0, got stride \(stride), padding \(padding)")
    }
    let geometry = WindowGeometry(channels: input[1], height: input[2], width: input[3], kernelHeight: weight[2],
                                  kernelWidth: weight[3], stride: stride, padding: padding)
    guard input[2] + 2 * padding >= weight[2], input[3] + 2 * padding >= weight[3] else {
        throw PruneKitError.shapeMismatch(operation: "conv2d", expected: "padded input at least the kernel size \(weight[2])x\(weight[3])",
                                          found: "input \(input) with padding \(padding)")
    }
    return geometry
}

/// y[n] = W * im2col(x[n]) + b, images split across threads.
func conv2dForward(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: WindowGeometry, _ output: inout Tensor) {
    let (batch, OC, K, OHW) = (input.shape[0], weight.shape[0], g.patchSize, g.outputArea)
    let inputStride = g.channels * g.height * g.width
    input.withUnsafeBufferPointer { x in weight.withUnsafeBufferPointer { w in output.withUnsafeMutableBufferPointer { y in
        let (x, w, y) = (x.baseAddress!, w.baseAddress!, y.baseAddress!)
        let biasPointer = bias?.storage.pointer
        Parallel.forEachChunk(count: batch) { _, images in
            let cols = g.isIdentityPatch ? nil : UnsafeMutablePointer<Float>.allocate(capacity: K * OHW)
            defer { cols?.deallocate() }
            for n in images {
                let image = x + n * inputStride
                if let cols { Profiler.measure("im2col") { im2col(image, g, cols) } }
                let out = y + n * OC * OHW
                Profiler.measure("sgemm", flops: 2 * Double(OC * K * OHW)) {
                    BLAS.sgemm(transposeA: false, transposeB: false, m: OC, n: OHW, k: K, alpha: 1, a: w, lda: K,
                               b: cols.map { UnsafePointer($0) } ?? image, ldb: OHW, beta: 0, c: out, ldc: OHW)
                }
                if let biasPointer {
                    for o in 0..<OC { let row = out + o * OHW; let b = biasPointer[o]; for i in 0..<OHW { row[i] += b } }
                }
            }
        }
    } } }
}

/// dX[n] += col2im(W^T dY[n]); dW += sum_n dY[n] * im2col(x[n])^T; db += sum_{n,i,j} dY. W is `weightValue`
/// (the weight, or W ⊙ M for a column-sparse one), `plan` the direct path's (nil: im2col + sgemm).
func conv2dBackward(_ outputGradient: Tensor, input: Variable, weight: Variable, weightValue: Tensor, bias: Variable?,
                    geometry g: WindowGeometry, plan: ConvolutionTapPlan?) {
    if let plan {
        // Convolutions with a smaller output (LeNet's unpadded ones) take dW from per-image im2col + sgemm: the
        // direct kernel sums its lanes per 4 x 5 block over few pixels, and on pitched rows it also multiplied
        // (W - OW) / W dead lanes. Measured on LeNet-5 training, alternating in one process: 12.7 -> 12.1 ms on
        // pitched rows, and with column phases 8.65 ms for sgemm against 9.27 ms direct. dX stays direct
        // (im2col + col2im was slower: 10.9 vs 10.3 ms).
        let weightByGEMM = plan.pitchesOutput || plan.shiftsColumns
        conv2dBackwardDirect(outputGradient, input: input, weight: weight, weightValue: weightValue, plan: plan,
                             weightGradient: !weightByGEMM)
        if weightByGEMM {
            conv2dBackwardIm2col(outputGradient, input: input, weight: weight, weightValue: weightValue, geometry: g,
                                 inputGradient: false)
        }
    } else {
        conv2dBackwardIm2col(outputGradient, input: input, weight: weight, weightValue: weightValue, geometry: g)
    }
    if let bias, bias.requiresGradient {
        let (batch, OC, OHW) = (input.shape[0], weight.shape[0], g.outputArea)
        let dy = UnsafePointer(outputGradient.storage.pointer)
        var biasGradient = Tensor(zeros: [OC])
        biasGradient.withUnsafeMutableBufferPointer { db in
            for n in 0..<batch { for o in 0..<OC { db[o] += simdSum(dy + (n * OC + o) * OHW, OHW) } }
        }
        bias.accumulateGradient(biasGradient)
    }
}

/// `conv2dBackward` of a dense convolution on the path `conv2d` would take (benchmarks time it alone).
func conv2dBackward(_ outputGradient: Tensor, input: Variable, weight: Variable, bias: Variable?, geometry g: WindowGeometry) {
    conv2dBackward(outputGradient, input: input, weight: weight, weightValue: weight.value, bias: bias, geometry: g,
                   plan: ConvolutionKernels.isEnabled ? ConvolutionTapPlan(g) : nil)
}

/// Input and weight gradients by im2col + sgemm (the reference path); `inputGradient` / `weightGradient` false
/// skip that part (another path computes it).
func conv2dBackwardIm2col(_ outputGradient: Tensor, input: Variable, weight: Variable, weightValue: Tensor, geometry g: WindowGeometry,
                          inputGradient computesInput: Bool = true, weightGradient computesWeight: Bool = true) {
    let (batch, OC, K, OHW) = (input.shape[0], weight.shape[0], g.patchSize, g.outputArea)
    let inputStride = g.channels * g.height * g.width
    let wantInput = input.requiresGradient && computesInput, wantWeight = weight.requiresGradient && computesWeight
    var inputGradient = wantInput ? Tensor(zeros: input.shape) : nil
    let chunks = Parallel.threadCount
    var partialWeightGradients = wantWeight ? Tensor(zeros: [chunks, OC, K]) : nil
    let x = UnsafePointer(input.value.storage.pointer), w = UnsafePointer(weightValue.storage.pointer)
    let dy = UnsafePointer(outputGradient.storage.pointer)
    let dx = inputGradient?.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let dwAll = partialWeightGradients?.withUnsafeMutableBufferPointer { $0.baseAddress! }
    Parallel.forEachChunk(count: batch) { chunk, images in
        let needCols = !g.isIdentityPatch
        let cols = needCols ? UnsafeMutablePointer<Float>.allocate(capacity: K * OHW) : nil
        defer { cols?.deallocate() }
        for n in images {
            let image = x + n * inputStride, gradient = dy + n * OC * OHW
            if let dwAll {
                if let cols { Profiler.measure("im2col") { im2col(image, g, cols) } }
                Profiler.measure("sgemm", flops: 2 * Double(OC * K * OHW)) {
                    BLAS.sgemm(transposeA: false, transposeB: true, m: OC, n: K, k: OHW, alpha: 1, a: gradient, lda: OHW,
                               b: cols.map { UnsafePointer($0) } ?? image, ldb: OHW, beta: 1, c: dwAll + chunk * OC * K, ldc: K)
                }
            }
            if let dx {
                let target = dx + n * inputStride
                Profiler.measure("sgemm", flops: 2 * Double(OC * K * OHW)) {
                    BLAS.sgemm(transposeA: true, transposeB: false, m: K, n: OHW, k: OC, alpha: 1, a: w, lda: K,
                               b: gradient, ldb: OHW, beta: cols == nil ? 1 : 0, c: cols ?? target, ldc: OHW)
                }
                if let cols { Profiler.measure("col2im") { col2im(cols, g, target) } }
            }
        }
    }
    if let inputGradient { input.accumulateGradient(inputGradient) }
    if let partials = partialWeightGradients {
        weight.accumulateGradient(sumOfPartials(partials, chunks: chunks, shape: weight.shape))
    }
}
