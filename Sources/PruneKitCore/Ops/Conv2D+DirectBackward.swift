// Legend: C input channels, OC output channels, A output pixels per image, H x W input, S stride.

/// The pieces of conv2d's direct backward for one group of images (see `conv2dBackwardDirect`).
struct DirectBackward {
    let convolution: DirectConvolution
    /// Input x [N, C, H, W] and output gradient dy [N, OC, R, Q].
    let x, dy: UnsafePointer<Float>
    /// One adjoint tap of a column-sparse convolution: the dX rows (input channels) that keep it, its weights packed.
    struct SparseAdjointTap {
        let rows: [Int32]
        let packed: Tensor
    }

    /// Weights packed for the adjoint conv of each phase (transposed; empty without an input gradient or when sparse).
    let adjoint: [UnsafePointer<Float>]
    /// Column-sparse convolutions: per phase, per adjoint tap (nil when dense).
    let sparseAdjoint: [[SparseAdjointTap]]?
    /// Weight tap of each forward tap.
    let weightTaps: [Int32]

    private var plan: ConvolutionTapPlan { convolution.plan }

    /// The group's dY in the kernels' layout: in place, or stacked into `buffers.output`.
    func gradientSide(_ start: Int, _ layout: DirectConvolution.Layout, _ buffers: DirectConvolutionBuffers) -> UnsafePointer<Float> {
        convolution.outputSide(dy + start * convolution.outputChannels * convolution.outputArea, images: layout.images,
                               buffer: buffers.output)
    }

    /// dx of the group: each phase plane from the adjoint taps that write it (zeros where none do).
    func inputGradient(_ start: Int, _ layout: DirectConvolution.Layout, _ gradient: UnsafePointer<Float>,
                       _ buffers: DirectConvolutionBuffers, _ dx: UnsafeMutablePointer<Float>) {
        let (C, OC) = (convolution.inputChannels, convolution.outputChannels)
        let pixels = layout.images * convolution.adjointArea, stride = convolution.inputStride
        let image = dx + start * C * convolution.inputArea
        let target = buffers.inputGradient ?? image
        for phase in 0..<plan.phases {
            let out = target + phase * pixels
            let taps = plan.adjointTaps[phase]
            if taps.isEmpty || sparseAdjoint != nil {
                for c in 0..<C { (out + c * stride).update(repeating: 0, count: pixels) }
            }
            if let sparse = sparseAdjoint?[phase] {
                accumulateSparse(sparse, layout, phase: phase, gradient, pixels: pixels, out, stride: stride)
                continue
            }
            if taps.isEmpty { continue }
            layout.adjointMasks[phase].withUnsafeBufferPointer { masks in
                layout.adjointOffsets[phase].withUnsafeBufferPointer { offsets in
                    ConvolutionKernels.forward(gradient, inputStride: convolution.outputStride, channels: OC, pixels: pixels,
                                               offsets: offsets.baseAddress!, taps: taps.count, masks: masks.baseAddress!,
                                               packed: adjoint[phase], outputChannels: C, bias: nil, residual: nil,
                                               relu: false, out, outputStride: stride)
                }
            }
        }
        if let stacked = buffers.inputGradient, plan.shiftsColumns {
            let g = plan.geometry
            ConvolutionKernels.scatterColumns(stacked, channelStride: stride, channels: C, height: g.height, width: g.width,
                                              kernelWidth: g.kernelWidth, into: image)
        } else if let stacked = buffers.inputGradient {
            let g = plan.geometry
            ConvolutionKernels.scatterPhases(stacked, channelStride: stride, images: layout.images, channels: C,
                                             height: g.height, width: g.width, stride: g.stride, into: image)
        }
    }

    /// dX rows += each adjoint tap of the phase over the input channels that keep it (one `accumulateRows` call per
    /// tap, its lane masks taken from the phase's [V][T] masks).
    private func accumulateSparse(_ taps: [SparseAdjointTap], _ layout: DirectConvolution.Layout, phase: Int,
                                  _ gradient: UnsafePointer<Float>, pixels: Int, _ out: UnsafeMutablePointer<Float>, stride: Int) {
        let masks = layout.adjointMasks[phase], count = taps.count, vectors = masks.count / max(count, 1)
        var tapMasks = [UInt16](repeating: 0, count: vectors)
        for (index, tap) in taps.enumerated() where !tap.rows.isEmpty {
            for v in 0..<vectors { tapMasks[v] = masks[v * count + index] }
            tapMasks.withUnsafeBufferPointer { tapMasks in tap.rows.withUnsafeBufferPointer { rows in
                ConvolutionKernels.accumulateRows(gradient, inputStride: convolution.outputStride, channels: convolution.outputChannels,
                                                  pixels: pixels, offset: layout.adjointOffsets[phase][index],
                                                  masks: tapMasks.baseAddress!, packed: UnsafePointer(tap.packed.storage.pointer),
                                                  rows: rows.baseAddress!, count: rows.count, out, outputStride: stride)
            } }
        }
    }

    /// dW += the group's dy (x) shifted x, from stacked planes.
    func weightGradient(_ start: Int, _ layout: DirectConvolution.Layout, _ gradient: UnsafePointer<Float>,
                        _ buffers: DirectConvolutionBuffers, _ dw: UnsafeMutablePointer<Float>) {
        let C = convolution.inputChannels
        let source = convolution.inputSide(x + start * C * convolution.inputArea, images: layout.images, buffer: buffers.input)
        accumulate(source, imageStride: 0, gradient, gradientImageStride: 0, images: 1, pixels: layout.images * convolution.area,
                   layout, dw)
    }

    /// dW += dy (x) shifted x for a run of images read in place (stride 1, one image per plane).
    func weightGradientInPlace(_ images: Range<Int>, _ dw: UnsafeMutablePointer<Float>) {
        let (C, OC, A) = (convolution.inputChannels, convolution.outputChannels, convolution.area)
        let inputArea = convolution.inputArea  // more than A when the output has fewer rows than the input
        accumulate(x + images.lowerBound * C * inputArea, imageStride: C * inputArea, dy + images.lowerBound * OC * A,
                   gradientImageStride: OC * A, images: images.count, pixels: A, convolution.full, dw)
    }

    private func accumulate(_ source: UnsafePointer<Float>, imageStride: Int, _ gradient: UnsafePointer<Float>,
                            gradientImageStride: Int, images: Int, pixels: Int, _ layout: DirectConvolution.Layout,
                            _ dw: UnsafeMutablePointer<Float>) {
        let g = plan.geometry
        layout.forwardMasks.withUnsafeBufferPointer { masks in layout.forwardOffsets.withUnsafeBufferPointer { offsets in
            weightTaps.withUnsafeBufferPointer { weightTaps in
                if let lists = plan.columns {
                    ConvolutionKernels.weightGradientColumns(source, imageStride: imageStride, planeStride: convolution.inputStride,
                                                             gradient, gradientImageStride: gradientImageStride,
                                                             gradientPlaneStride: convolution.outputStride, images: images,
                                                             channels: convolution.inputChannels, pixels: pixels,
                                                             offsets: offsets.baseAddress!, taps: weightTaps.count,
                                                             masks: masks.baseAddress!, weightTaps: weightTaps.baseAddress!,
                                                             kernelArea: g.kernelHeight * g.kernelWidth,
                                                             outputChannels: convolution.outputChannels, lists: lists, dw)
                    return
                }
                ConvolutionKernels.weightGradient(source, imageStride: imageStride, planeStride: convolution.inputStride, gradient,
                                                  gradientImageStride: gradientImageStride,
                                                  gradientPlaneStride: convolution.outputStride, images: images,
                                                  channels: convolution.inputChannels, pixels: pixels,
                                                  offsets: offsets.baseAddress!, taps: weightTaps.count,
                                                  masks: masks.baseAddress!, weightTaps: weightTaps.baseAddress!,
                                                  kernelArea: g.kernelHeight * g.kernelWidth,
                                                  outputChannels: convolution.outputChannels, dw)
            }
        } }
    }
}
