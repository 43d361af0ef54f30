// Legend: S stride, H x W input, R x Q = (H/S) x (W/S) output and phase-plane size, KH x KW kernel, P padding.

/// conv2d as taps over phase planes: the form the direct kernels take (PruneKitKernels.h).
///
/// For stride S each image splits into S*S phase planes of R x Q pixels, phase a*S + b holding
/// x[S*r + a, S*q + b]. Weight tap (kh, kw) makes output (oh, ow) read input row S*oh + kh - P = S*(oh + dh) + a
/// with dh = floor((kh - P) / S), so it reads phase (a, b) at (oh + dh, ow + dw): a shifted phase plane. The
/// adjoint (dX) writes phase (a, b) from the taps that read it, shifted by (-dh, -dw), over dY. Stride 1 is the
/// one-phase case, a "same" convolution. Representable when S divides H and W and the output is exactly
/// (H/S) x (W/S): every ResNet, WRN and VGG convolution; not LeNet's unpadded ones.
///
/// ```swift
/// let plan = ConvolutionTapPlan(geometry)   // 3x3, stride 2, padding 1 on 32x32: 9 taps over 4 phases of 16x16
/// ```
struct ConvolutionTapPlan {
    struct Tap {
        /// Index kh*KW + kw of the weight this tap multiplies.
        let weightTap: Int32
        /// Phase plane a*S + b it reads (forward) or writes (adjoint).
        let phase: Int
        /// Shift (dh, dw) of the plane it reads.
        let rowShift, columnShift: Int32
    }

    let geometry: WindowGeometry
    /// Phase-plane (and output) rows R and columns Q.
    let rows, columns: Int
    /// Taps of the forward conv (and of the weight gradient).
    let forwardTaps: [Tap]
    /// Per phase plane of dX, the taps that write it (shifts negated, reading dY).
    let adjointTaps: [[Tap]]

    init?(_ g: WindowGeometry) {
        let S = g.stride
        guard g.height % S == 0, g.width % S == 0, g.outputHeight == g.height / S, g.outputWidth == g.width / S else { return nil }
        geometry = g
        (rows, columns) = (g.height / S, g.width / S)
        var taps: [Tap] = []
        for kh in 0..<g.kernelHeight {
            for kw in 0..<g.kernelWidth {
                let (dh, a) = Self.split(kh - g.padding, S), (dw, b) = Self.split(kw - g.padding, S)
                taps.append(Tap(weightTap: Int32(kh * g.kernelWidth + kw), phase: a * S + b,
                                rowShift: Int32(dh), columnShift: Int32(dw)))
            }
        }
        forwardTaps = taps
        adjointTaps = (0..<(S * S)).map { phase in
            taps.filter { $0.phase == phase }.map {
                Tap(weightTap: $0.weightTap, phase: phase, rowShift: -$0.rowShift, columnShift: -$0.columnShift)
            }
        }
    }

    /// S*S phase planes per image.
    var phases: Int { geometry.stride * geometry.stride }

    /// Bit f set when some forward tap reads phase f (a 1x1 stride-2 conv reads only phase 0).
    var usedPhases: UInt32 { forwardTaps.reduce(0) { $0 | (1 << UInt32($1.phase)) } }

    /// value = S * quotient + remainder with 0 <= remainder < S (floor division).
    private static func split(_ value: Int, _ S: Int) -> (quotient: Int, remainder: Int) {
        let remainder = ((value % S) + S) % S
        return ((value - remainder) / S, remainder)
    }
}
