import PruneKitCore

// Legend: N images, OC output channels, P = OH*OW output positions (1 for a linear layer).

/// EigenDamage's output factor S (official code `ComputeCovG`; eigendamage.md "K-FAC factors" 3): g = dLoss/d(layer
/// output) per image and position, the loss being the batch-mean cross-entropy. The code rescales each row by N*P
/// (undoing the batch mean and spatial averaging) and divides by the N*P rows, so a batch adds
///
///     S += N * P * sum_{n, p} g g^T,
///
/// which for a linear layer (P = 1) is the spec's N * sum g g^T. One `sgemm` per image, added in double precision.
///
/// ```swift
/// var s = [Double](repeating: 0, count: 32 * 32)
/// try OutputGradientCovariance.accumulate(probe.gradient!, into: &s)   // [N, 32, OH, OW] or [N, 32]
/// ```
public enum OutputGradientCovariance {
    /// Adds the batch gradient `gradient` ([N, OC, OH, OW] or [N, OC]) to `factor` (row-major [OC, OC]).
    public static func accumulate(_ gradient: Tensor, into factor: inout [Double]) throws {
        guard gradient.rank == 4 || gradient.rank == 2, gradient.shape[0] > 0 else {
            throw PruneKitError.invalidParameter(name: "gradient", expected: "[N, OC, OH, OW] or [N, OC] with N > 0", found: "\(gradient.shape)")
        }
        let (images, channels) = (gradient.shape[0], gradient.shape[1]), positions = gradient.shape.dropFirst(2).reduce(1, *)
        guard factor.count == channels * channels else {
            throw PruneKitError.invalidParameter(name: "factor", expected: "\(channels * channels) entries", found: "\(factor.count)")
        }
        var product = [Float](repeating: 0, count: channels * channels)  // [OC, OC], sum over the batch
        gradient.withUnsafeBufferPointer { g in
            product.withUnsafeMutableBufferPointer { c in
                if positions == 1 {  // [N, OC]: one product over the batch
                    BLAS.sgemm(transposeA: true, transposeB: false, m: channels, n: channels, k: images, alpha: 1,
                               a: g.baseAddress!, lda: channels, b: g.baseAddress!, ldb: channels, beta: 0, c: c.baseAddress!, ldc: channels)
                    return
                }
                for n in 0..<images {  // image n is [OC, P]
                    let image = g.baseAddress! + n * channels * positions
                    BLAS.sgemm(transposeA: false, transposeB: true, m: channels, n: channels, k: positions, alpha: 1,
                               a: image, lda: positions, b: image, ldb: positions, beta: n == 0 ? 0 : 1, c: c.baseAddress!, ldc: channels)
                }
            }
        }
        let scale = Double(images) * Double(positions)
        for index in factor.indices { factor[index] += Double(product[index]) * scale }
    }
}
