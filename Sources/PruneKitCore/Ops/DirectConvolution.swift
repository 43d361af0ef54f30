import Foundation

// Legend: N batch, C input channels, OC output channels, S stride, R x Q output plane, A = R*Q pixels per
// image, G images per stacked plane.

/// How conv2d's direct path walks a batch (see `ConvolutionTapPlan` and PruneKitKernels.h).
///
/// Images with at least 256 output pixels go one per kernel call; smaller ones G at a time, stacked into one
/// plane of G*A pixels (about 384), so that vectors are full and rows contiguous instead of G planes
/// 4*C*A bytes apart (which all fell into the same L1 sets). Stride-1 single images are read and written in
/// place (NCHW is already the layout); otherwise each group is gathered into phase planes
/// (`ConvolutionKernels.gatherPhases`, or `gatherColumns` for unpadded convolutions) and results scattered back,
/// and padded convolutions with smaller outputs write rows at the input's pitch into scratch and compact them: O(C*A) copies per image against O(OC*C*KK*A) multiply-adds.
struct DirectConvolution {
    /// Masks and offsets of the taps for one group size (a short last group needs its own).
    struct Layout {
        let images: Int
        let forwardMasks: [UInt16]
        let forwardOffsets: [Int]
        let adjointMasks: [[UInt16]]
        let adjointOffsets: [[Int]]
    }

    let plan: ConvolutionTapPlan
    let inputChannels, outputChannels: Int
    let imagesPerGroup: Int
    /// Layout of a full group.
    let full: Layout

    init(_ plan: ConvolutionTapPlan, outputChannels: Int, batch: Int) {
        self.plan = plan
        (inputChannels, self.outputChannels) = (plan.geometry.channels, outputChannels)
        let area = plan.forwardMask.rows * plan.forwardMask.pitch
        imagesPerGroup = !plan.stacksImages || area >= 256 ? 1 : max(1, min(batch, (384 + area - 1) / area))
        full = Self.layout(plan, images: imagesPerGroup)
    }

    /// Pixels per image of a forward output plane (rows x pitch; more than OH*OW when rows are pitched).
    var area: Int { plan.forwardMask.rows * plan.forwardMask.pitch }
    /// Pixels per image of one dX plane the adjoint writes (a phase plane for strided convs, else H*W).
    var adjointArea: Int { plan.adjointMask.rows * plan.adjointMask.pitch }
    /// Output pixels per image in NCHW (OH*OW).
    var outputArea: Int { plan.geometry.outputHeight * plan.geometry.outputWidth }
    /// Useful FLOPs of one image's forward pass, 2 x OC x kept columns x OH*OW (the input and the weight gradient
    /// each do as many); what `Profiler` divides by time for a kernel's GFLOP/s.
    var flopsPerImage: Double {
        2 * Double(outputChannels) * Double(plan.columns?.channels.count ?? plan.geometry.patchSize) * Double(outputArea)
    }
    /// Input pixels per image (H*W).
    var inputArea: Int { plan.geometry.height * plan.geometry.width }
    /// Whether inputs (and dX) go through the stacked phase layout rather than NCHW in place.
    var stacksInput: Bool { plan.geometry.stride > 1 || imagesPerGroup > 1 || plan.shiftsColumns }
    /// Whether outputs (and dY, residuals) go through scratch planes: stacked, or rows at the input's pitch.
    var stacksOutput: Bool { imagesPerGroup > 1 || plan.pitchesOutput }
    /// Channel stride of input-side planes.
    var inputStride: Int {
        stacksInput ? ConvolutionKernels.paddedStride(plan.phases * imagesPerGroup * adjointArea) : inputArea
    }
    /// Channel stride of output-side planes.
    var outputStride: Int { stacksOutput ? ConvolutionKernels.paddedStride(imagesPerGroup * area) : outputArea }

    /// Calls body(first image, layout) for consecutive groups of `images`.
    func forEachGroup(_ images: Range<Int>, _ body: (Int, Layout) -> Void) {
        var start = images.lowerBound
        while start < images.upperBound {
            let count = min(imagesPerGroup, images.upperBound - start)
            body(start, count == imagesPerGroup ? full : Self.layout(plan, images: count))
            start += count
        }
    }

    /// `images` NCHW images from x in the layout the kernels read: in place, or gathered into `buffer`.
    func inputSide(_ x: UnsafePointer<Float>, images: Int, buffer: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
        guard let buffer else { return x }
        let g = plan.geometry
        if plan.shiftsColumns {  // one image per group (outputs have fewer rows than inputs: nothing stacks)
            ConvolutionKernels.gatherColumns(x, channels: g.channels, height: g.height, width: g.width,
                                             kernelWidth: g.kernelWidth, into: buffer, channelStride: inputStride)
            return UnsafePointer(buffer)
        }
        ConvolutionKernels.gatherPhases(x, images: images, channels: g.channels, height: g.height, width: g.width,
                                        stride: g.stride, phases: plan.usedPhases, into: buffer, channelStride: inputStride)
        return UnsafePointer(buffer)
    }

    /// `images` images of an output-shaped tensor [N, OC, OH, OW] in the kernels' output layout: in place,
    /// stacked, or with rows expanded to the input's pitch (extra columns zeroed) in `buffer`.
    func outputSide(_ y: UnsafePointer<Float>, images: Int, buffer: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
        guard let buffer else { return y }
        let (OH, OW) = (plan.geometry.outputHeight, plan.geometry.outputWidth)
        if plan.pitchesOutput {
            ConvolutionKernels.expandRows(y, channels: outputChannels, rows: OH, width: OW, pitch: plan.forwardMask.pitch,
                                          into: buffer, channelStride: outputStride)
        } else {
            ConvolutionKernels.gatherPhases(y, images: images, channels: outputChannels, height: OH, width: OW, stride: 1,
                                            phases: 1, into: buffer, channelStride: outputStride)
        }
        return UnsafePointer(buffer)
    }

    /// The inverse of `outputSide`: kernel output planes back into NCHW y.
    func scatterOutput(_ buffer: UnsafeMutablePointer<Float>, images: Int, into y: UnsafeMutablePointer<Float>) {
        let (OH, OW) = (plan.geometry.outputHeight, plan.geometry.outputWidth)
        if plan.pitchesOutput {
            ConvolutionKernels.compactRows(buffer, channelStride: outputStride, channels: outputChannels, rows: OH,
                                           width: OW, pitch: plan.forwardMask.pitch, into: y)
        } else {
            ConvolutionKernels.scatterPhases(buffer, channelStride: outputStride, images: images, channels: outputChannels,
                                             height: OH, width: OW, stride: 1, into: y)
        }
    }

    /// Layouts already built, by geometry and group size: every training step asks for the same few, and
    /// building the masks costs a division per lane and tap (~0.5% of a ResNet step).
    nonisolated(unsafe) private static var layouts: [LayoutKey: Layout] = [:]
    private static let lock = NSLock()
    private struct LayoutKey: Hashable {
        let geometry: WindowGeometry
        let images: Int
        /// The forward taps' weight taps: column-sparse plans drop taps.
        let weightTaps: [Int32]
    }

    /// Masks and offsets for `images` stacked images (cached).
    static func layout(_ plan: ConvolutionTapPlan, images: Int) -> Layout {
        let key = LayoutKey(geometry: plan.geometry, images: images, weightTaps: plan.forwardTaps.map(\.weightTap))
        lock.lock()
        if let cached = layouts[key] { lock.unlock(); return cached }
        lock.unlock()
        let layout = buildLayout(plan, images: images)
        lock.lock()
        if layouts.count > 512 { layouts.removeAll() }  // bounded: pruning experiments create many widths
        layouts[key] = layout
        lock.unlock()
        return layout
    }

    /// Masks and offsets for `images` stacked images: forward taps read (phase) planes, phase f at
    /// f*images*adjointArea within a channel; adjoint taps read the single dY plane.
    private static func buildLayout(_ plan: ConvolutionTapPlan, images: Int) -> Layout {
        let phaseStride = images * plan.adjointMask.rows * plan.adjointMask.pitch
        func masks(_ taps: [ConvolutionTapPlan.Tap], _ m: ConvolutionTapPlan.MaskGeometry) -> [UInt16] {
            ConvolutionKernels.masks(images: images, geometry: m, rowShifts: taps.map(\.rowShift),
                                     columnShifts: taps.map(\.columnShift))
        }
        func offsets(_ taps: [ConvolutionTapPlan.Tap], phased: Bool, pitch: Int) -> [Int] {
            taps.map { (phased ? $0.phase * phaseStride : 0) + Int($0.rowShift) * pitch + Int($0.columnShift) }
        }
        return Layout(images: images, forwardMasks: masks(plan.forwardTaps, plan.forwardMask),
                      forwardOffsets: offsets(plan.forwardTaps, phased: true, pitch: plan.forwardMask.pitch),
                      adjointMasks: plan.adjointTaps.map { masks($0, plan.adjointMask) },
                      adjointOffsets: plan.adjointTaps.map { offsets($0, phased: false, pitch: plan.adjointMask.pitch) })
    }
}

/// Per-thread scratch planes for a direct convolution (nil where the layout is used in place).
final class DirectConvolutionBuffers {
    let input: UnsafeMutablePointer<Float>?
    let output: UnsafeMutablePointer<Float>?
    let inputGradient: UnsafeMutablePointer<Float>?
    /// Stacked residual planes for the fused inference epilogue.
    let residual: UnsafeMutablePointer<Float>?

    init(_ convolution: DirectConvolution, backward: Bool, residual: Bool = false) {
        inputCount = convolution.stacksInput ? convolution.inputChannels * convolution.inputStride : 0
        outputCount = convolution.stacksOutput ? convolution.outputChannels * convolution.outputStride : 0
        input = inputCount > 0 ? BufferPool.allocate(floats: inputCount) : nil
        output = outputCount > 0 ? BufferPool.allocate(floats: outputCount) : nil
        inputGradient = backward && inputCount > 0 ? BufferPool.allocate(floats: inputCount) : nil
        self.residual = residual && outputCount > 0 ? BufferPool.allocate(floats: outputCount) : nil
    }

    private let inputCount, outputCount: Int

    deinit {
        for (buffer, count) in [(input, inputCount), (output, outputCount), (inputGradient, inputCount), (residual, outputCount)] {
            if let buffer { BufferPool.deallocate(buffer, floats: count) }
        }
    }
}
