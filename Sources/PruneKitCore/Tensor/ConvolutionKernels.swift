import Foundation
import PruneKitKernels

// Legend: C input channels, OC output channels, T taps, KK = KH*KW weight taps, G stacked images.

/// The only Swift file that sees `PruneKitKernels`: direct AVX-512 convolution kernels over tap lists (see
/// PruneKitKernels.h), and the switch that decides whether `conv2d` uses them.
///
/// The kernels read shifted input rows straight from (phase-split, stacked) planes through lane masks instead
/// of building an im2col matrix, so thin layers (16 channels, where sgemm is packing-bound) run at 170-210
/// GFLOP/s per core instead of ~100. The input gradient is the same kernel on dY with transposed weights
/// and negated taps. Without AVX-512, or with `PRUNEKIT_CONV=reference`, `conv2d` uses its im2col + sgemm
/// path, which also serves as the reference the tests compare against.
///
/// ```swift
/// ConvolutionKernels.algorithm = .reference   // force im2col + sgemm (tests run both)
/// ```
public enum ConvolutionKernels {
    /// Which convolution implementation `conv2d` uses.
    public enum Algorithm: String, Sendable {
        /// Direct kernels wherever the geometry and CPU allow, im2col + sgemm elsewhere.
        case automatic
        /// im2col + sgemm everywhere, and sgemm for linear layers (the portable reference path).
        case reference
    }

    /// True when the CPU (and OS) support AVX-512F, which every direct kernel needs.
    public static let cpuSupportsDirect: Bool = pk_cpu_has_avx512() != 0

    /// The algorithm in use; defaults to `PRUNEKIT_CONV` (`automatic` or `reference`), else automatic.
    nonisolated(unsafe) public static var algorithm: Algorithm =
        Algorithm(rawValue: ProcessInfo.processInfo.environment["PRUNEKIT_CONV"] ?? "") ?? .automatic

    /// Whether the direct kernels are switched on and can run here.
    static var isEnabled: Bool { algorithm == .automatic && cpuSupportsDirect }

    /// A plane stride (floats) >= `count` that keeps consecutive planes out of each other's L1 sets.
    static func paddedStride(_ count: Int) -> Int { pk_padded_stride(count) }

    /// Lane masks [ceil(G*rows*pitch / 16)][T] for taps shifted by (rowShifts[t], columnShifts[t]) on G stacked
    /// planes of `geometry` (see `pk_tap_masks`).
    static func masks(images: Int, geometry m: ConvolutionTapPlan.MaskGeometry, rowShifts: [Int32], columnShifts: [Int32]) -> [UInt16] {
        let taps = rowShifts.count
        var masks = [UInt16](repeating: 0, count: pk_tap_mask_count(images * m.rows * m.pitch, Int32(taps)))
        masks.withUnsafeMutableBufferPointer { target in
            pk_tap_masks(Int32(images), Int32(m.rows), Int32(m.pitch), Int32(m.validColumns), Int32(m.sourceRows),
                         Int32(m.sourceColumns), Int32(taps), rowShifts, columnShifts, target.baseAddress!)
        }
        return masks
    }

    /// Weights [A, B, KK] packed for `forward` with taps `weightTaps`: outputs A, inputs B, or with `transpose`
    /// outputs B, inputs A (the adjoint conv).
    static func pack(_ weight: Tensor, transpose: Bool, weightTaps: [Int32]) -> Tensor {
        let (a, b, kk) = (weight.shape[0], weight.shape[1], weight.shape[2] * weight.shape[3])
        let outputs = transpose ? b : a, inputs = transpose ? a : b
        var packed = Tensor(zeros: [max(pk_packed_weight_count(Int32(outputs), Int32(inputs), Int32(weightTaps.count)), 1)],
                            zeroed: false)
        packed.withUnsafeMutableBufferPointer { target in
            pk_pack_weights(weight.storage.pointer, Int32(a), Int32(b), Int32(kk), transpose ? 1 : 0,
                            Int32(weightTaps.count), weightTaps, target.baseAddress!)
        }
        return packed
    }

    /// Weights [OC, C, KH, KW] packed for `forwardColumns`: per output block, the kept columns of `plan` in tap order.
    static func pack(_ weight: Tensor, plan: ConvolutionTapPlan) -> Tensor {
        guard let lists = plan.columns else {
            return pack(weight, transpose: false, weightTaps: plan.forwardTaps.map(\.weightTap))
        }
        let (outputs, inputs, kk) = (weight.shape[0], weight.shape[1], weight.shape[2] * weight.shape[3])
        let count = pk_output_blocks(Int32(outputs)) * 8 * Int32(lists.channels.count)
        var packed = Tensor(zeros: [max(Int(count), 1)], zeroed: false)
        packed.withUnsafeMutableBufferPointer { target in
            pk_pack_weights_columns(weight.storage.pointer, Int32(outputs), Int32(inputs), Int32(kk), Int32(plan.forwardTaps.count),
                                    plan.forwardTaps.map(\.weightTap), lists.starts, lists.channels, target.baseAddress!)
        }
        return packed
    }

    /// The adjoint of weight tap `tap` of w [OC, C, KH, KW] for the dX rows `rows`, packed for `accumulateRows`.
    static func packAdjoint(_ weight: Tensor, tap: Int32, rows: [Int32]) -> Tensor {
        let (outputs, inputs, kk) = (weight.shape[0], weight.shape[1], weight.shape[2] * weight.shape[3])
        let count = Int(pk_output_blocks(Int32(rows.count))) * 8 * outputs
        var packed = Tensor(zeros: [max(count, 1)], zeroed: false)
        packed.withUnsafeMutableBufferPointer { target in
            pk_pack_weights_adjoint_rows(weight.storage.pointer, Int32(outputs), Int32(inputs), Int32(kk), tap, Int32(rows.count),
                                         rows, target.baseAddress!)
        }
        return packed
    }

    /// y[rows[o]] += one adjoint tap of dY (`pk_conv_accumulate_rows`); weights from `packAdjoint`.
    @inline(__always)
    static func accumulateRows(_ x: UnsafePointer<Float>, inputStride: Int, channels: Int, pixels: Int, offset: Int,
                               masks: UnsafePointer<UInt16>, packed: UnsafePointer<Float>, rows: UnsafePointer<Int32>, count: Int,
                               _ y: UnsafeMutablePointer<Float>, outputStride: Int) {
        withUnsafePointer(to: offset) { offset in
            pk_conv_accumulate_rows(x, inputStride, Int32(channels), pixels, 1, offset, masks, packed, Int32(count), rows, y,
                                    outputStride)
        }
    }

    /// `forward` over the kept columns of `lists` only (`pk_conv_forward_columns`); weights from `pack(_:plan:)`.
    @inline(__always)
    static func forwardColumns(_ x: UnsafePointer<Float>, inputStride: Int, pixels: Int, offsets: UnsafePointer<Int>, taps: Int,
                               masks: UnsafePointer<UInt16>, lists: ConvolutionTapPlan.ColumnLists, packed: UnsafePointer<Float>,
                               outputChannels: Int, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, relu: Bool,
                               _ y: UnsafeMutablePointer<Float>, outputStride: Int) {
        lists.starts.withUnsafeBufferPointer { starts in lists.channels.withUnsafeBufferPointer { channels in
            pk_conv_forward_columns(x, inputStride, pixels, Int32(taps), offsets, masks, starts.baseAddress!,
                                    channels.baseAddress ?? starts.baseAddress!, packed, Int32(outputChannels), bias, residual,
                                    relu ? 1 : 0, y, outputStride)
        } }
    }

    /// `weightGradient` for the kept columns of `lists` only (`pk_conv_weight_gradient_columns`).
    @inline(__always)
    static func weightGradientColumns(_ x: UnsafePointer<Float>, imageStride: Int, planeStride: Int, _ dy: UnsafePointer<Float>,
                                      gradientImageStride: Int, gradientPlaneStride: Int, images: Int, channels: Int, pixels: Int,
                                      offsets: UnsafePointer<Int>, taps: Int, masks: UnsafePointer<UInt16>,
                                      weightTaps: UnsafePointer<Int32>, kernelArea: Int, outputChannels: Int,
                                      lists: ConvolutionTapPlan.ColumnLists, _ dw: UnsafeMutablePointer<Float>) {
        lists.segmentTaps.withUnsafeBufferPointer { segmentTaps in lists.segmentStarts.withUnsafeBufferPointer { starts in
            lists.segmentChannels.withUnsafeBufferPointer { segmentChannels in
                pk_conv_weight_gradient_columns(x, imageStride, planeStride, dy, gradientImageStride, gradientPlaneStride,
                                                Int32(images), Int32(channels), pixels, Int32(taps), offsets, masks, weightTaps,
                                                Int32(kernelArea), Int32(outputChannels), Int32(segmentTaps.count),
                                                segmentTaps.baseAddress ?? starts.baseAddress!, starts.baseAddress!,
                                                segmentChannels.baseAddress ?? starts.baseAddress!, dw)
            }
        } }
    }

    /// y = act(sum over taps of w * shifted x + bias + residual) over `pixels` outputs (PruneKitKernels.h).
    @inline(__always)
    static func forward(_ x: UnsafePointer<Float>, inputStride: Int, channels: Int, pixels: Int,
                        offsets: UnsafePointer<Int>, taps: Int, masks: UnsafePointer<UInt16>, packed: UnsafePointer<Float>,
                        outputChannels: Int, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, relu: Bool,
                        _ y: UnsafeMutablePointer<Float>, outputStride: Int) {
        pk_conv_forward(x, inputStride, Int32(channels), pixels, Int32(taps), offsets, masks, packed, Int32(outputChannels),
                        bias, residual, relu ? 1 : 0, y, outputStride)
    }

    /// dw [OC, C, KK] += sum over `images` of dy (x) shifted x at every tap (PruneKitKernels.h).
    @inline(__always)
    static func weightGradient(_ x: UnsafePointer<Float>, imageStride: Int, planeStride: Int, _ dy: UnsafePointer<Float>,
                               gradientImageStride: Int, gradientPlaneStride: Int, images: Int, channels: Int, pixels: Int,
                               offsets: UnsafePointer<Int>, taps: Int, masks: UnsafePointer<UInt16>,
                               weightTaps: UnsafePointer<Int32>, kernelArea: Int, outputChannels: Int,
                               _ dw: UnsafeMutablePointer<Float>) {
        pk_conv_weight_gradient(x, imageStride, planeStride, dy, gradientImageStride, gradientPlaneStride, Int32(images),
                                Int32(channels), pixels, Int32(taps), offsets, masks, weightTaps, Int32(kernelArea),
                                Int32(outputChannels), dw)
    }

    /// `images` NCHW images [C, H, W] into the stacked phase layout (channel stride `channelStride`).
    @inline(__always)
    static func gatherPhases(_ x: UnsafePointer<Float>, images: Int, channels: Int, height: Int, width: Int, stride: Int,
                             phases: UInt32, into target: UnsafeMutablePointer<Float>, channelStride: Int) {
        pk_gather_phases(x, Int32(images), Int32(channels), Int32(height), Int32(width), Int32(stride), phases, target,
                         channelStride)
    }

    /// The stacked phase layout back into `images` NCHW images.
    @inline(__always)
    static func scatterPhases(_ source: UnsafePointer<Float>, channelStride: Int, images: Int, channels: Int, height: Int,
                              width: Int, stride: Int, into x: UnsafeMutablePointer<Float>) {
        pk_scatter_phases(source, channelStride, Int32(images), Int32(channels), Int32(height), Int32(width), Int32(stride), x)
    }

    /// One image's column phases (`pk_gather_columns`): phase b holds x shifted left by b, rows of W - KW + 1.
    @inline(__always)
    static func gatherColumns(_ x: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernelWidth: Int,
                              into target: UnsafeMutablePointer<Float>, channelStride: Int) {
        pk_gather_columns(x, Int32(channels), Int32(height), Int32(width), Int32(kernelWidth), target, channelStride)
    }

    /// The adjoint of `gatherColumns` into one NCHW image (overwritten).
    @inline(__always)
    static func scatterColumns(_ source: UnsafePointer<Float>, channelStride: Int, channels: Int, height: Int, width: Int,
                               kernelWidth: Int, into x: UnsafeMutablePointer<Float>) {
        pk_scatter_columns(source, channelStride, Int32(channels), Int32(height), Int32(width), Int32(kernelWidth), x)
    }

    /// One image y [C, rows, width] into planes of rows at `pitch` (extra columns zeroed), channel stride given.
    @inline(__always)
    static func expandRows(_ y: UnsafePointer<Float>, channels: Int, rows: Int, width: Int, pitch: Int,
                           into target: UnsafeMutablePointer<Float>, channelStride: Int) {
        pk_expand_rows(y, Int32(channels), Int32(rows), Int32(width), Int32(pitch), target, channelStride)
    }

    /// The inverse of `expandRows`.
    @inline(__always)
    static func compactRows(_ source: UnsafePointer<Float>, channelStride: Int, channels: Int, rows: Int, width: Int,
                            pitch: Int, into y: UnsafeMutablePointer<Float>) {
        pk_compact_rows(source, channelStride, Int32(channels), Int32(rows), Int32(width), Int32(pitch), y)
    }
}
