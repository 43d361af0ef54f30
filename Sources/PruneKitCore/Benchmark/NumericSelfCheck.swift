/// A quick check that OpenBLAS and LAPACK work in this process: sgemm against the reference GEMM and
/// the residual of a symmetric eigendecomposition. Used by `prune-cli info` and CI's smoke step.
public enum NumericSelfCheck {
    /// The two errors measured by `run()`; `passed` judges them.
    ///
    /// ```swift
    /// let check = try NumericSelfCheck.run()
    /// print(check.passed ? "ok" : "BLAS/LAPACK error \(check.gemmError), \(check.eigenResidual)")
    /// ```
    public struct Result {
        /// Largest absolute difference between OpenBLAS sgemm and the reference GEMM on a [64, 33] x [33, 48] product of
        /// standard-normal matrices.
        public let gemmError: Float
        /// Largest |A v - lambda v| entry over all eigenpairs of LAPACK's eigendecomposition of a 32 x 32 symmetric A = R + R^T
        /// (R standard normal).
        public let eigenResidual: Float
        /// True when gemmError < 1e-4 and eigenResidual < 1e-3.
        public var passed: Bool { gemmError < 1e-4 && eigenResidual < 1e-3 }
    }

    /// Runs both checks on fixed-seed (1) random matrices; throws if LAPACK reports a failure or a shape is wrong.
    public static func run() throws -> Result {
        var generator = SplitMix64(seed: 1)
        let (m, n, k) = (64, 48, 33)
        let a = Tensor.normal(shape: [m, k], generator: &generator), b = Tensor.normal(shape: [k, n], generator: &generator)
        var fast = Tensor(zeros: [m, n]), slow = Tensor(zeros: [m, n])
        fast.withUnsafeMutableBufferPointer { BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
            a: a.storage.pointer, lda: k, b: b.storage.pointer, ldb: n, beta: 0, c: $0.baseAddress!, ldc: n) }
        slow.withUnsafeMutableBufferPointer { BLAS.referenceGemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
            a: a.storage.pointer, lda: k, b: b.storage.pointer, ldb: n, beta: 0, c: $0.baseAddress!, ldc: n) }
        let gemmError = (try fast - slow).maxAbsolute()
        let size = 32
        let r = Tensor.normal(shape: [size, size], generator: &generator)
        var symmetric = Tensor(zeros: [size, size])
        for i in 0..<size { for j in 0..<size { symmetric[i, j] = r[i, j] + r[j, i] } }
        let (values, vectors) = try BLAS.symmetricEigen(symmetric)
        var residual: Float = 0
        for e in 0..<size { for i in 0..<size {
            let av = (0..<size).reduce(Float(0)) { $0 + symmetric[i, $1] * vectors[e, $1] }
            residual = max(residual, abs(av - values[e] * vectors[e, i]))
        } }
        return Result(gemmError: gemmError, eigenResidual: residual)
    }
}
