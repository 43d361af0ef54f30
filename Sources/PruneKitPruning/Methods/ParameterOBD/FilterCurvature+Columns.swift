import PruneKitCore
import PruneKitNetworks

// Legend: N images, C input channels, T = K*K taps, D = C*T (+1 with a bias) im2col columns, OC output channels,
// P = OH*OW output positions.

extension FilterCurvature {
    /// A and F for one batch, image by image: the image's im2col matrix X̃ [D, P] (`PatchCovariance.gather` of one image
    /// is exactly im2col's [C*T, P] layout; a bias adds a row of ones), then A += X̃ X̃^T / (N P^2) and, with a gradient
    /// g_n [OC, P], the per-sample gradient G = N g_n X̃^T [OC, D] and F += G^2. Products in Float (sgemm), sums in Double.
    mutating func accumulateColumns(_ batch: Tensor, gradient: Tensor?, geometry g: PatchCovariance.Geometry) throws {
        let (images, positions, columns) = (batch.shape[0], g.outputHeight * g.outputWidth, inputSize)
        var unfolded = [Float](repeating: 1, count: columns * positions)  // X̃ [D, P]; the bias row stays 1
        var gram = [Float](repeating: 0, count: columns * columns)        // [D, D], sum over the batch's images
        var perSample = [Float](repeating: 0, count: outputSize * columns) // G [OC, D] of one image
        var sums = [Double](repeating: 0, count: g.channels)
        let samples = Double(images)
        batch.withUnsafeBufferPointer { x in
            for n in 0..<images {
                unfolded.withUnsafeMutableBufferPointer { buffer in
                    PatchCovariance.gather(x, images: n..<n + 1, geometry: g, into: buffer.baseAddress!, sums: &sums)
                    gram.withUnsafeMutableBufferPointer { c in
                        BLAS.sgemm(transposeA: false, transposeB: true, m: columns, n: columns, k: positions, alpha: 1, a: buffer.baseAddress!,
                                   lda: positions, b: buffer.baseAddress!, ldb: positions, beta: n == 0 ? 0 : 1, c: c.baseAddress!, ldc: columns)
                    }
                }
                guard let gradient else { continue }
                gradient.withUnsafeBufferPointer { gradients in
                    unfolded.withUnsafeBufferPointer { b in
                        perSample.withUnsafeMutableBufferPointer { c in
                            BLAS.sgemm(transposeA: false, transposeB: true, m: outputSize, n: columns, k: positions, alpha: 1,
                                       a: gradients.baseAddress! + n * outputSize * positions, lda: positions, b: b.baseAddress!, ldb: positions,
                                       beta: 0, c: c.baseAddress!, ldc: columns)
                        }
                    }
                }
                for index in diagonal.indices { let value = Double(perSample[index]) * samples; diagonal[index] += value * value }
            }
        }
        let scale = 1 / (samples * Double(positions) * Double(positions))
        for index in factors.input.indices { factors.input[index] += Double(gram[index]) * scale }
    }
}
