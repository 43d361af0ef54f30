// Legend: C input channels, OC output channels, A output pixels per image, H x W input, S stride.

/// The pieces of conv2d's direct backward for one group of images (see `conv2dBackwardDirect`).
struct DirectBackward {
    let convolution: DirectConvolution
    /// Input x [N, C, H, W] and output gradient dy [N, OC, R, Q].
    let x, dy: UnsafePointer<Float>
    /// Weights packed for the adjoint conv of each phase (transposed; empty without an input gradient).
    let adjoint: [UnsafePointer<Float>]
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
            if taps.isEmpty {
                for c in 0..<C { (out + c * stride).update(repeating: 0, count: pixels) }
                continue
            }
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
