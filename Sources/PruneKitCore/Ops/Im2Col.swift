import PruneKitKernels

// Legend: C input channels, H x W input image, KH x KW kernel, OH x OW output image,
// S stride, P zero padding. One image at a time; callers parallelise over images.

/// Geometry of a 2-D convolution or pooling window, shared by conv and pooling kernels.
public struct WindowGeometry: Hashable {
    /// Input channels C, input height H and width W, window height KH and width KW, stride S (>= 1) and zero padding P
    /// on each side, all in elements (see the legend above).
    public let channels, height, width, kernelHeight, kernelWidth, stride, padding: Int
    /// Output height: (H + 2P - KH) / S + 1.
    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    /// Output width: (W + 2P - KW) / S + 1.
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the im2col matrix: C * KH * KW.
    public var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the im2col matrix: OH * OW.
    public var outputArea: Int { outputHeight * outputWidth }
    /// True when the im2col matrix is the input itself (1x1 kernel, stride 1, no padding).
    public var isIdentityPatch: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }
}

/// cols[(c*KH + kh)*KW + kw, oh*OW + ow] = x[c, oh*S - P + kh, ow*S - P + kw] (0 outside the image).
/// x: [C, H, W]; cols: [C*KH*KW, OH*OW], the layout sgemm wants as its B operand. Stride 1 on an AVX-512 CPU
/// runs the C kernel `pk_im2col_stride1` (masked 16-lane moves: rows of 8-24 floats made memmove calls the
/// top of LeNet-5's profile); everything else, and the check of that kernel, is `im2colReference`.
func im2col(_ x: UnsafePointer<Float>, _ g: WindowGeometry, _ cols: UnsafeMutablePointer<Float>) {
    if g.stride == 1, ConvolutionKernels.cpuSupportsDirect {
        pk_im2col_stride1(x, Int32(g.channels), Int32(g.height), Int32(g.width), Int32(g.kernelHeight),
                          Int32(g.kernelWidth), Int32(g.padding), cols)
    } else {
        im2colReference(x, g, cols)
    }
}

/// `im2col` in plain Swift, any stride: row by row, zero where the window leaves the padded image.
func im2colReference(_ x: UnsafePointer<Float>, _ g: WindowGeometry, _ cols: UnsafeMutablePointer<Float>) {
    let (H, W, OH, OW, S, P) = (g.height, g.width, g.outputHeight, g.outputWidth, g.stride, g.padding)
    var row = 0
    for c in 0..<g.channels {
        let plane = x + c * H * W
        for kh in 0..<g.kernelHeight {
            for kw in 0..<g.kernelWidth {
                let out = cols + row * OH * OW
                for oh in 0..<OH {
                    let ih = oh * S - P + kh
                    let outRow = out + oh * OW
                    if ih < 0 || ih >= H { outRow.update(repeating: 0, count: OW); continue }
                    let inRow = plane + ih * W
                    if S == 1 {
                        // Contiguous run: valid ow satisfy 0 <= ow - P + kw < W.
                        let first = max(0, P - kw), last = min(OW, W + P - kw)
                        if first > 0 { outRow.update(repeating: 0, count: first) }
                        if last > first { (outRow + first).update(from: inRow + (first - P + kw), count: last - first) }
                        if last < OW { (outRow + max(last, 0)).update(repeating: 0, count: OW - max(last, 0)) }
                    } else {
                        for ow in 0..<OW {
                            let iw = ow * S - P + kw
                            outRow[ow] = (iw >= 0 && iw < W) ? inRow[iw] : 0
                        }
                    }
                }
                row += 1
            }
        }
    }
}

/// The adjoint of `im2col`: x[c, ih, iw] += cols[...] for every patch position that read it.
/// cols: [C*KH*KW, OH*OW]; x: [C, H, W] (accumulated into, not overwritten).
/// Stride 1 on an AVX-512 CPU runs `pk_col2im_stride1` (same additions in the same order).
func col2im(_ cols: UnsafePointer<Float>, _ g: WindowGeometry, _ x: UnsafeMutablePointer<Float>) {
    if g.stride == 1, ConvolutionKernels.cpuSupportsDirect {
        pk_col2im_stride1(cols, Int32(g.channels), Int32(g.height), Int32(g.width), Int32(g.kernelHeight),
                          Int32(g.kernelWidth), Int32(g.padding), x)
    } else {
        col2imReference(cols, g, x)
    }
}

/// `col2im` in plain Swift, any stride.
func col2imReference(_ cols: UnsafePointer<Float>, _ g: WindowGeometry, _ x: UnsafeMutablePointer<Float>) {
    let (H, W, OH, OW, S, P) = (g.height, g.width, g.outputHeight, g.outputWidth, g.stride, g.padding)
    var row = 0
    for c in 0..<g.channels {
        let plane = x + c * H * W
        for kh in 0..<g.kernelHeight {
            for kw in 0..<g.kernelWidth {
                let source = cols + row * OH * OW
                for oh in 0..<OH {
                    let ih = oh * S - P + kh
                    if ih < 0 || ih >= H { continue }
                    let inRow = plane + ih * W
                    let sourceRow = source + oh * OW
                    if S == 1 {
                        let first = max(0, P - kw), last = min(OW, W + P - kw)
                        if last > first { axpy(1, sourceRow + first, inRow + (first - P + kw), last - first) }
                    } else {
                        for ow in 0..<OW {
                            let iw = ow * S - P + kw
                            if iw >= 0 && iw < W { inRow[iw] += sourceRow[ow] }
                        }
                    }
                }
                row += 1
            }
        }
    }
}
