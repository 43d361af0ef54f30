import PruneKitCore

// Legend: N images, C input channels, H x W input, K kernel side, T = K*K taps, P = OH*OW output positions.

/// EigenDamage's input factor A of a convolution in "patch" mode (official code `ComputeCovAPatch`; eigendamage.md
/// "K-FAC factors" 2): the input, zero-padded and unfolded with the layer's kernel, stride and padding, gives one
/// C-dimensional row x per (image, output position, kernel offset); with a bias a constant 1/T is appended. A batch adds
///
///     A += sum_rows x x^T / (N * T * P^2).
///
/// The unfolded rows are never materialised for the whole batch. At stride 1 the sum over kernel offsets follows from
/// Gram matrices of whole images and of their border lines (`strideOneGramAndSums`); at other strides images are
/// gathered in chunks of about 2^16 rows into a [C, rows] buffer whose Gram matrix one `sgemm` forms. Both add in
/// double precision.
///
/// ```swift
/// var a = [Double](repeating: 0, count: 16 * 16)
/// try PatchCovariance.accumulate(x, kernelSize: 3, stride: 1, padding: 1, includesBias: false, into: &a)  // x [N, 16, H, W]
/// ```
public enum PatchCovariance {
    /// Rows per Gram product (a chunk of whole images, at least one).
    static let rowsPerChunk = 1 << 16

    /// Adds the batch `input` [N, C, H, W] to `factor` ([C + 1]^2 with `includesBias`, else C^2, row-major).
    public static func accumulate(_ input: Tensor, kernelSize: Int, stride: Int, padding: Int, includesBias: Bool,
                                  into factor: inout [Double]) throws {
        guard input.rank == 4 else {
            throw PruneKitError.invalidParameter(name: "input", expected: "a batch [N, C, H, W]", found: "\(input.shape)")
        }
        let (images, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let outputHeight = (height + 2 * padding - kernelSize) / stride + 1, outputWidth = (width + 2 * padding - kernelSize) / stride + 1
        let size = channels + (includesBias ? 1 : 0)
        guard factor.count == size * size, outputHeight > 0, outputWidth > 0 else {
            throw PruneKitError.invalidParameter(name: "factor", expected: "\(size * size) entries and a kernel that fits \(height)x\(width)",
                                                 found: "\(factor.count) entries, kernel \(kernelSize) padding \(padding)")
        }
        let geometry = Geometry(channels: channels, height: height, width: width, kernel: kernelSize, stride: stride, padding: padding,
                                outputHeight: outputHeight, outputWidth: outputWidth)
        let (gram, sums) = stride == 1 ? try strideOneGramAndSums(input, images: images, geometry: geometry)
                                       : try gramAndSums(input, images: images, geometry: geometry)
        let taps = Double(kernelSize * kernelSize), positions = Double(outputHeight * outputWidth)
        let scale = 1 / (Double(images) * taps * positions * positions)
        for i in 0..<channels { for j in 0..<channels { factor[i * size + j] += gram[i * channels + j] * scale } }
        guard includesBias else { return }
        for i in 0..<channels {  // x_i times the constant 1/T, over all rows
            factor[i * size + channels] += sums[i] / taps * scale
            factor[channels * size + i] += sums[i] / taps * scale
        }
        factor[channels * size + channels] += Double(images) * taps * positions / (taps * taps) * scale
    }

    /// The layer geometry of the unfolding.
    struct Geometry {
        let channels, height, width, kernel, stride, padding, outputHeight, outputWidth: Int
        var rowsPerImage: Int { kernel * kernel * outputHeight * outputWidth }
    }

    /// sum_rows x x^T [C, C] and sum_rows x [C] over the batch, in double precision.
    static func gramAndSums(_ input: Tensor, images: Int, geometry g: Geometry) throws -> (gram: [Double], sums: [Double]) {
        let chunk = max(1, min(images, rowsPerChunk / max(g.rowsPerImage, 1)))
        var gram = [Double](repeating: 0, count: g.channels * g.channels), sums = [Double](repeating: 0, count: g.channels)
        var patches = try Tensor(allocating: [g.channels, chunk * g.rowsPerImage], zeroed: false, purpose: "EigenDamage patches")  // [C, rows]
        var product = [Float](repeating: 0, count: g.channels * g.channels)  // [C, C], one chunk's Gram matrix
        try input.withUnsafeBufferPointer { x in
            for start in Swift.stride(from: 0, to: images, by: chunk) {
                let count = min(chunk, images - start), rows = count * g.rowsPerImage
                patches.withUnsafeMutableBufferPointer { buffer in
                    gather(x, images: start..<start + count, geometry: g, into: buffer.baseAddress!, sums: &sums)
                    product.withUnsafeMutableBufferPointer { c in
                        BLAS.sgemm(transposeA: false, transposeB: true, m: g.channels, n: g.channels, k: rows, alpha: 1,
                                   a: buffer.baseAddress!, lda: rows, b: buffer.baseAddress!, ldb: rows, beta: 0, c: c.baseAddress!, ldc: g.channels)
                    }
                }
                for index in gram.indices { gram[index] += Double(product[index]) }
            }
            if images == 0 { throw PruneKitError.invalidParameter(name: "input", expected: "at least one image", found: "0") }
        }
        return (gram, sums)
    }

    /// Writes the patch rows of `images` as columns of the [C, rows] buffer (row stride = the chunk's rows); padding
    /// positions are 0. Adds each channel's total to `sums`. Channels are split across `Parallel` workers; each output
    /// row's valid span is computed once, so the inner loop is a branch-free strided copy.
    static func gather(_ x: UnsafeBufferPointer<Float>, images: Range<Int>, geometry g: Geometry,
                       into buffer: UnsafeMutablePointer<Float>, sums: inout [Double]) {
        let rows = images.count * g.rowsPerImage, plane = g.height * g.width
        var totals = [Double](repeating: 0, count: g.channels)
        totals.withUnsafeMutableBufferPointer { totals in
            let totalsBase = totals.baseAddress!
            Parallel.forEachChunk(count: g.channels) { _, channels in
                for c in channels {
                    var column = 0, total = 0.0
                    let row = buffer + c * rows
                    for n in images {
                        let source = x.baseAddress! + (n * g.channels + c) * plane
                        for ky in 0..<g.kernel { for kx in 0..<g.kernel {
                            // ox with 0 <= ox * stride - padding + kx < width
                            let first = min(g.outputWidth, max(0, (g.padding - kx + g.stride - 1) / g.stride))
                            let last = min(g.outputWidth, max(first, (g.width - 1 + g.padding - kx) / g.stride + 1))
                            for oy in 0..<g.outputHeight {
                                let iy = oy * g.stride - g.padding + ky, target = row + column
                                column += g.outputWidth
                                guard iy >= 0 && iy < g.height, first < last else {
                                    target.update(repeating: 0, count: g.outputWidth); continue
                                }
                                target.update(repeating: 0, count: first)
                                let line = source + iy * g.width - g.padding + kx
                                var partial: Float = 0
                                for ox in first..<last { let value = line[ox * g.stride]; target[ox] = value; partial += value }
                                (target + last).update(repeating: 0, count: g.outputWidth - last)
                                total += Double(partial)
                            }
                        } }
                    }
                    totalsBase[c] = total
                }
            }
        }
        for c in 0..<g.channels { sums[c] += totals[c] }
    }
}
