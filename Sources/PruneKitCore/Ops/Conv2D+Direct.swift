// Legend: N batch, C input channels, OC output channels, A output pixels per image, T taps, KK weight taps.

/// conv2d's direct path (see `DirectConvolution`): y = act(sum over taps of W_t * shifted x + b + residual),
/// act = ReLU or identity (the epilogue that inference with batch norm folded into the weights uses).
///
/// Backward: dx phase f = sum over the taps writing f of W_t^T * shifted dy (the same kernel, transposed
/// weights); dW_t += sum_n dy (x) shifted x with one partial [OC, C, KH, KW] per thread, summed at the end.
/// Threads take contiguous runs of images. Caches nothing beyond conv2d's inputs: packed weights, masks and
/// offsets are rebuilt from them (O(OC*C*KK), negligible next to the batch).
func conv2dForwardDirect(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ plan: ConvolutionTapPlan, _ output: inout Tensor,
                         residual: Tensor? = nil, relu: Bool = false, packed prepacked: Tensor? = nil) {
    let (batch, C, OC) = (input.shape[0], plan.geometry.channels, weight.shape[0])
    let convolution = DirectConvolution(plan, outputChannels: OC, batch: batch)
    let (area, outputArea, inputArea) = (convolution.area, convolution.outputArea, convolution.inputArea)
    let packed = prepacked ?? ConvolutionKernels.pack(weight, plan: plan)
    let x = UnsafePointer(input.storage.pointer), w = UnsafePointer(packed.storage.pointer)
    let b = bias.map { UnsafePointer($0.storage.pointer) }, r = residual.map { UnsafePointer($0.storage.pointer) }
    let y = output.withUnsafeMutableBufferPointer { $0.baseAddress! }
    Parallel.forEachChunk(count: batch) { _, images in
        let buffers = DirectConvolutionBuffers(convolution, backward: false, residual: r != nil)
        Profiler.measure("direct.forward", flops: convolution.flopsPerImage * Double(images.count)) {
            convolution.forEachGroup(images) { start, layout in
                let source = convolution.inputSide(x + start * C * inputArea, images: layout.images, buffer: buffers.input)
                let target = buffers.output ?? y + start * OC * outputArea
                let added = r.map { convolution.outputSide($0 + start * OC * outputArea, images: layout.images, buffer: buffers.residual) }
                layout.forwardMasks.withUnsafeBufferPointer { masks in layout.forwardOffsets.withUnsafeBufferPointer { offsets in
                    if let lists = plan.columns {
                        ConvolutionKernels.forwardColumns(source, inputStride: convolution.inputStride, pixels: layout.images * area,
                                                          offsets: offsets.baseAddress!, taps: plan.forwardTaps.count,
                                                          masks: masks.baseAddress!, lists: lists, packed: w, outputChannels: OC,
                                                          bias: b, residual: added, relu: relu, target,
                                                          outputStride: convolution.outputStride)
                        return
                    }
                    ConvolutionKernels.forward(source, inputStride: convolution.inputStride, channels: C,
                                               pixels: layout.images * area, offsets: offsets.baseAddress!,
                                               taps: plan.forwardTaps.count, masks: masks.baseAddress!, packed: w,
                                               outputChannels: OC, bias: b, residual: added, relu: relu, target,
                                               outputStride: convolution.outputStride)
                } }
                if let stacked = buffers.output {
                    convolution.scatterOutput(stacked, images: layout.images, into: y + start * OC * outputArea)
                }
            }
        }
    }
    withExtendedLifetime(packed) {}
}

/// Input and weight gradients of the direct path (bias handled by the caller); `weightGradient: false` leaves
/// the weight's gradient to another path.
func conv2dBackwardDirect(_ outputGradient: Tensor, input: Variable, weight: Variable, weightValue: Tensor, plan: ConvolutionTapPlan,
                          weightGradient computesWeight: Bool = true) {
    let (batch, OC) = (input.shape[0], weight.shape[0])
    let convolution = DirectConvolution(plan, outputChannels: OC, batch: batch)
    let adjoint = input.requiresGradient && plan.columns == nil
        ? plan.adjointTaps.map { ConvolutionKernels.pack(weightValue, transpose: true, weightTaps: $0.map(\.weightTap)) } : []
    // Column-sparse: per phase and adjoint tap, the dX rows (input channels) that keep the tap and their packed weights.
    let sparseAdjoint = input.requiresGradient ? plan.columns.map { lists in
        plan.adjointTaps.map { taps in
            taps.map { tap in
                let rows = lists.channelsByWeightTap[Int(tap.weightTap)]
                return DirectBackward.SparseAdjointTap(rows: rows, packed: ConvolutionKernels.packAdjoint(weightValue, tap: tap.weightTap, rows: rows))
            }
        }
    } : nil
    let chunks = Parallel.threadCount
    var inputGradient = input.requiresGradient ? Tensor(zeros: input.shape, zeroed: false) : nil
    var partials = weight.requiresGradient && computesWeight ? Tensor(zeros: [chunks] + weight.shape) : nil
    let dx = inputGradient?.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let dwAll = partials?.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let context = DirectBackward(convolution: convolution, x: UnsafePointer(input.value.storage.pointer),
                                 dy: UnsafePointer(outputGradient.storage.pointer),
                                 adjoint: adjoint.map { UnsafePointer($0.storage.pointer) }, sparseAdjoint: sparseAdjoint,
                                 weightTaps: plan.forwardTaps.map(\.weightTap))
    Parallel.forEachChunk(count: batch) { chunk, images in
        let buffers = DirectConvolutionBuffers(convolution, backward: true)
        let dw = dwAll.map { $0 + chunk * weight.value.count }
        convolution.forEachGroup(images) { start, layout in
            let gradient = context.gradientSide(start, layout, buffers)
            let flops = convolution.flopsPerImage * Double(layout.images)
            if let dx {
                Profiler.measure("direct.inputGradient", flops: flops) { context.inputGradient(start, layout, gradient, buffers, dx) }
            }
            if let dw, convolution.stacksInput || convolution.stacksOutput {
                Profiler.measure("direct.weightGradient", flops: flops) { context.weightGradient(start, layout, gradient, buffers, dw) }
            }
        }
        // In place (stride 1, large images): one call for the whole run, so the kernel can group images.
        if let dw, !convolution.stacksInput, !convolution.stacksOutput {
            Profiler.measure("direct.weightGradient", flops: convolution.flopsPerImage * Double(images.count)) {
                context.weightGradientInPlace(images, dw)
            }
        }
    }
    withExtendedLifetime((adjoint, sparseAdjoint)) {}
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
