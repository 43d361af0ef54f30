// Legend: N batch, C input channels, OC output channels, H x W image (input = output size), KK kernel taps.

/// conv2d's direct path for same-geometry stride-1 convolutions (see `ConvolutionKernels`): no im2col.
///
/// Forward: y[n] = W * x[n] (+ b), one kernel call per image, images split across threads.
/// Backward: dx[n] = conv(dy[n], flip(W^T)) (the adjoint conv, same kernel); dW += sum_n dy[n] (x) x[n] with
/// one partial [OC, C, KH, KW] per thread, summed at the end; db += sum dy. Caches nothing beyond conv2d's
/// inputs: packed weights and masks are rebuilt from them (O(OC*C*KK), negligible next to the batch).
func conv2dForwardDirect(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: WindowGeometry, _ output: inout Tensor) {
    let (batch, OC, HW) = (input.shape[0], weight.shape[0], g.height * g.width)
    let inputStride = g.channels * HW
    let masks = ConvolutionKernels.sameMasks(g)
    let packed = ConvolutionKernels.packWeights(weight, adjoint: false)
    let x = UnsafePointer(input.storage.pointer), w = UnsafePointer(packed.storage.pointer)
    let b = bias.map { UnsafePointer($0.storage.pointer) }
    output.withUnsafeMutableBufferPointer { y in
        let y = y.baseAddress!
        masks.withUnsafeBufferPointer { masks in
            Parallel.forEachChunk(count: batch) { _, images in
                Profiler.measure("direct.forward") {
                    for n in images {
                        ConvolutionKernels.forward(x + n * inputStride, channels: g.channels, g, packed: w, outputChannels: OC,
                                                   masks: masks.baseAddress!, bias: b, residual: nil, relu: false,
                                                   y + n * OC * HW)
                    }
                }
            }
        }
    }
    _ = packed
}

/// Input and weight gradients of the direct path (bias handled by the caller).
func conv2dBackwardDirect(_ outputGradient: Tensor, input: Variable, weight: Variable, geometry g: WindowGeometry) {
    let (batch, OC, C, HW) = (input.shape[0], weight.shape[0], g.channels, g.height * g.width)
    let (wantInput, wantWeight) = (input.requiresGradient, weight.requiresGradient)
    let masks = ConvolutionKernels.sameMasks(g)
    let adjoint = wantInput ? ConvolutionKernels.packWeights(weight.value, adjoint: true) : nil
    let chunks = Parallel.threadCount
    var inputGradient = wantInput ? Tensor(zeros: input.shape, zeroed: false) : nil
    var partials = wantWeight ? Tensor(zeros: [chunks] + weight.shape) : nil
    let x = UnsafePointer(input.value.storage.pointer), dy = UnsafePointer(outputGradient.storage.pointer)
    let dx = inputGradient?.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let dwAll = partials?.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let wT = adjoint.map { UnsafePointer($0.storage.pointer) }
    let weightCount = weight.value.count
    masks.withUnsafeBufferPointer { masks in
        let masks = masks.baseAddress!
        Parallel.forEachChunk(count: batch) { chunk, images in
            if let dx, let wT {
                Profiler.measure("direct.inputGradient") {
                    for n in images {
                        ConvolutionKernels.forward(dy + n * OC * HW, channels: OC, g, packed: wT, outputChannels: C,
                                                   masks: masks, bias: nil, residual: nil, relu: false, dx + n * C * HW)
                    }
                }
            }
            if let dwAll {
                Profiler.measure("direct.weightGradient") {
                    ConvolutionKernels.weightGradient(x + images.lowerBound * C * HW, imageStride: C * HW,
                                                      dy + images.lowerBound * OC * HW, gradientStride: OC * HW,
                                                      images: images.count, g, outputChannels: OC, masks: masks,
                                                      dwAll + chunk * weightCount)
                }
            }
        }
    }
    _ = adjoint
    if let inputGradient { input.accumulateGradient(inputGradient) }
    if let partials { weight.accumulateGradient(sumOfPartials(partials, chunks: chunks, shape: weight.shape)) }
}

/// Sum over the leading axis of [chunks, ...shape] per-thread partial gradients.
func sumOfPartials(_ partials: Tensor, chunks: Int, shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    var total = Tensor(zeros: shape, zeroed: false)
    total.withUnsafeMutableBufferPointer { target in
        let source = partials.storage.pointer
        target.baseAddress!.update(from: source, count: count)
        for chunk in 1..<max(chunks, 1) { axpy(1, source + chunk * count, target.baseAddress!, count) }
    }
    return total
}
