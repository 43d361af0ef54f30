import Foundation
import PruneKitKernels

// Legend: C input channels, OC output channels, H x W image, KH x KW kernel, KK = KH*KW, HW = H*W.

/// The only Swift file that sees `PruneKitKernels`: direct AVX-512 kernels for "same" stride-1 convolutions
/// (output H x W equals the input's: KH = 2*PH + 1, KW = 2*PW + 1), and the switch that decides whether
/// `conv2d` uses them.
///
/// The kernels read shifted input rows straight from the NCHW image through lane masks instead of building
/// an im2col matrix, so thin layers (16 channels, where sgemm is packing-bound) run at 150-210 GFLOP/s per
/// core instead of ~100 (see `prune-cli bench ops`). The input gradient is the same kernel on dY with the
/// weights transposed and flipped. Without AVX-512, or with `PRUNEKIT_CONV=reference`, `conv2d` uses its
/// im2col + sgemm path, which also serves as the reference the tests compare against.
///
/// ```swift
/// ConvolutionKernels.algorithm = .reference   // force im2col + sgemm (tests do this for both paths)
/// ```
public enum ConvolutionKernels {
    /// Which convolution implementation `conv2d` uses.
    public enum Algorithm: String, Sendable {
        /// Direct kernels wherever the geometry and CPU allow, im2col + sgemm elsewhere.
        case automatic
        /// im2col + sgemm everywhere (the portable reference path).
        case reference
    }

    /// True when the CPU (and OS) support AVX-512F, which every direct kernel needs.
    public static let cpuSupportsDirect: Bool = pk_cpu_has_avx512() != 0

    /// The algorithm in use; defaults to `PRUNEKIT_CONV` (`automatic` or `reference`), else automatic.
    nonisolated(unsafe) public static var algorithm: Algorithm =
        Algorithm(rawValue: ProcessInfo.processInfo.environment["PRUNEKIT_CONV"] ?? "") ?? .automatic

    /// Whether the direct kernels handle a convolution of this geometry: stride 1, odd kernel with
    /// padding (K - 1) / 2 on both axes, and AVX-512 present and not switched off.
    static func handlesDirectly(_ g: WindowGeometry) -> Bool {
        algorithm == .automatic && cpuSupportsDirect && g.stride == 1
            && g.kernelHeight == 2 * g.padding + 1 && g.kernelWidth == 2 * g.padding + 1
    }

    /// Lane masks of a same-geometry convolution, [ceil(HW / 16)][KK] (see PruneKitKernels.h).
    static func sameMasks(_ g: WindowGeometry) -> [UInt16] {
        let count = pk_same_mask_count(Int32(g.height), Int32(g.width), Int32(g.kernelHeight), Int32(g.kernelWidth))
        var masks = [UInt16](repeating: 0, count: count)
        masks.withUnsafeMutableBufferPointer {
            pk_same_masks(Int32(g.height), Int32(g.width), Int32(g.kernelHeight), Int32(g.kernelWidth), $0.baseAddress!)
        }
        return masks
    }

    /// Weights packed for `forward`. With `adjoint`, `weight` [OC, C, KH, KW] is packed as the transposed,
    /// flipped kernel [C, OC, KH, KW] that maps dY to dX.
    static func packWeights(_ weight: Tensor, adjoint: Bool) -> Tensor {
        let (oc, c, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let (outputs, inputs) = adjoint ? (c, oc) : (oc, c)
        var packed = Tensor(zeros: [pk_packed_weight_count(Int32(outputs), Int32(inputs), Int32(kh * kw))], zeroed: false)
        packed.withUnsafeMutableBufferPointer { target in
            pk_pack_weights(weight.storage.pointer, Int32(outputs), Int32(inputs), Int32(kh), Int32(kw), adjoint ? 1 : 0,
                            target.baseAddress!)
        }
        return packed
    }

    /// One image: y [OC, HW] = act(conv(x [C, HW]) + bias [OC] + residual [OC, HW]).
    @inline(__always)
    static func forward(_ x: UnsafePointer<Float>, channels: Int, _ g: WindowGeometry, packed: UnsafePointer<Float>,
                        outputChannels: Int, masks: UnsafePointer<UInt16>, bias: UnsafePointer<Float>?,
                        residual: UnsafePointer<Float>?, relu: Bool, _ y: UnsafeMutablePointer<Float>) {
        pk_conv_same_forward(x, Int32(channels), Int32(g.height), Int32(g.width), Int32(g.kernelHeight),
                             Int32(g.kernelWidth), packed, Int32(outputChannels), masks, bias, residual, relu ? 1 : 0, y)
    }

    /// dw [OC, C, KH, KW] += sum over `images` images of dy [OC, HW] (x) x [C, HW] at every tap.
    @inline(__always)
    static func weightGradient(_ x: UnsafePointer<Float>, imageStride: Int, _ dy: UnsafePointer<Float>,
                               gradientStride: Int, images: Int, _ g: WindowGeometry, outputChannels: Int,
                               masks: UnsafePointer<UInt16>, _ dw: UnsafeMutablePointer<Float>) {
        pk_conv_same_weight_gradient(x, imageStride, dy, gradientStride, Int32(images), Int32(g.channels),
                                     Int32(g.height), Int32(g.width), Int32(g.kernelHeight), Int32(g.kernelWidth),
                                     Int32(outputChannels), masks, dw)
    }
}
