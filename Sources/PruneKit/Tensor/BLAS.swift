import PruneKitBLAS

/// The only Swift file that sees the C boundary: OpenBLAS sgemm and LAPACK ssyevd, plus the naive
/// reference GEMM that tests check sgemm against (STYLE.md rule 6).
public enum BLAS {
    /// Name of the kernel set OpenBLAS chose (e.g. "Cooperlake", or "Haswell" when the environment forces it).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// Number of OpenBLAS threads for each sgemm call (global to the process).
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the OpenBLAS thread count (global to the process).
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }

    /// Runs `body` with OpenBLAS on `count` threads, then back on one. For GEMMs called from one thread
    /// (linear layers): conv2d's workers call sgemm concurrently and need the single-threaded default, so only
    /// code that is not inside `Parallel.forEachChunk` may use this. OpenBLAS itself keeps small products
    /// (below ~65K multiply-adds) on one thread.
    @inline(__always)
    public static func withThreadCount<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        guard count > 1 else { return try body() }
        openblas_set_num_threads(Int32(count))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// C = alpha * op(A) * op(B) + beta * C, row-major. op(A) is M x K, op(B) is K x N, C is M x N.
    /// Leading dimensions are the row lengths as stored: A is [M, K] or, transposed, [K, M].
    @inline(__always)
    public static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `sgemm` on `Parallel.threadCount` OpenBLAS threads (see `withThreadCount`): for GEMMs called outside
    /// `Parallel.forEachChunk`.
    @inline(__always)
    public static func parallelSgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                     alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                     b: UnsafePointer<Float>, ldb: Int,
                                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        withThreadCount(Parallel.threadCount) {
            sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// The same contract as `sgemm`, as three plain loops in Double accumulation: the oracle for tests.
    public static func referenceGemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                     alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                     b: UnsafePointer<Float>, ldb: Int,
                                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var total: Double = 0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    total += Double(x) * Double(y)
                }
                let previous = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * Float(total) + previous
            }
        }
    }

    /// Eigendecomposition of a symmetric n x n matrix by LAPACK `ssyevd` (divide and conquer).
    ///
    /// Returns eigenvalues in ascending order and the eigenvectors as the rows of an [n, n] tensor
    /// (row i is the unit eigenvector of eigenvalue i), so that A = V^T diag(w) V. Only the upper triangle
    /// of the row-major input is read. Used by EigenDamage's Kronecker-factored eigenbasis.
    public static func symmetricEigen(_ matrix: Tensor) throws -> (values: [Float], vectors: Tensor) {
        guard matrix.rank == 2, matrix.shape[0] == matrix.shape[1] else {
            throw PruneKitError.shapeMismatch(operation: "symmetricEigen", expected: "a square [n, n] matrix",
                                              found: "\(matrix.shape)")
        }
        var n = Int32(matrix.shape[0])
        var a = matrix.scalars  // column-major view of a row-major symmetric matrix is its transpose: same matrix
        var values = [Float](repeating: 0, count: Int(n))
        var jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "L"))  // row-major upper = column-major lower
        var lda = max(n, 1), info: Int32 = 0
        var workSize: Float = 0, iworkSize: Int32 = 0, query: Int32 = -1
        ssyevd_(&jobz, &uplo, &n, &a, &lda, &values, &workSize, &query, &iworkSize, &query, &info)
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Float](repeating: 0, count: Int(max(lwork, 1)))
        var iwork = [Int32](repeating: 0, count: Int(max(liwork, 1)))
        ssyevd_(&jobz, &uplo, &n, &a, &lda, &values, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else {
            throw PruneKitError.libraryFailure(library: "LAPACK ssyevd", message: "info = \(info) for n = \(n)")
        }
        // Column-major eigenvectors (column j = vector j) read row-major are rows: exactly our contract.
        return (values, try Tensor(shape: [Int(n), Int(n)], scalars: a))
    }
}
