import Foundation
import PruneKitBLAS

/// The only Swift file that sees the C boundary: OpenBLAS sgemm and LAPACK ssyevd, plus the naive
/// reference GEMM that tests check sgemm against (STYLE.md rule 6).
public enum BLAS {
    /// Name of the kernel set OpenBLAS chose (e.g. "Cooperlake", or "Haswell" when the environment forces it).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS kernel sets that use AVX-512 (names as `openblas_get_corename` prints them).
    static let avx512CoreNames: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids"]

    /// A warning when the environment forces OpenBLAS onto kernels slower than this CPU supports: these machines
    /// preset OPENBLAS_CORETYPE=Haswell (AVX2), which halves sgemm speed on their AVX-512 CPUs (SWIFT-BLAS.md §0).
    /// nil when the variable is unset, names an AVX-512 kernel set, or the CPU has no AVX-512 (then Haswell is
    /// the right choice). The variable is read before `main`, so only the launching shell can change it.
    public static var slowerKernelsWarning: String? {
        guard let preset = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !preset.isEmpty else { return nil }
        guard ConvolutionKernels.cpuSupportsDirect, !avx512CoreNames.contains(coreName) else { return nil }
        return "warning: OPENBLAS_CORETYPE=\(preset) forces OpenBLAS's \(coreName) kernels on a CPU with AVX-512 "
            + "(about half the sgemm speed); run with `env -u OPENBLAS_CORETYPE` for its own kernels"
    }

    /// Number of OpenBLAS threads for each sgemm call (global to the process).
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the OpenBLAS thread count (global to the process).
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }

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

    /// `sgemm` split across `Parallel` workers by rows of C (each worker runs single-threaded OpenBLAS on
    /// its rows), for products called outside `Parallel.forEachChunk` such as linear layers. Not OpenBLAS's own
    /// threads: after a call its pthread workers spin-wait (~2^28 cycles) and take a core from the Dispatch
    /// workers that run the next elementwise op (an MLP step went from 1 ms to 35 ms on a busy machine).
    public static func parallelSgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                     alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                     b: UnsafePointer<Float>, ldb: Int,
                                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        // Rows of op(A) start at a + row*lda (or a + row when transposed); about 2 MFLOP per worker at least.
        let minimumRows = max(1, (1 << 20) / max(n * k, 1))
        Parallel.forEachChunk(count: m, minimumPerChunk: minimumRows) { _, rows in
            sgemm(transposeA: transposeA, transposeB: transposeB, m: rows.count, n: n, k: k, alpha: alpha,
                  a: a + (transposeA ? rows.lowerBound : rows.lowerBound * lda), lda: lda, b: b, ldb: ldb, beta: beta,
                  c: c + rows.lowerBound * ldc, ldc: ldc)
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

    /// Eigendecomposition of a symmetric n x n matrix in double precision by LAPACK `dsyevd` (divide and conquer):
    /// EigenDamage's Kronecker factors, where Float32 rounds small eigenvalues of ill-conditioned factors to noise
    /// (eigendamage.md, "[proposal] use Float64").
    ///
    /// `matrix` is row-major [n, n] (only its upper triangle is read). Returns eigenvalues ascending and the
    /// eigenvectors as rows (row i, `vectors[i * n ..< (i + 1) * n]`, is the unit eigenvector of `values[i]`), so that
    /// A = V^T diag(w) V.
    ///
    /// ```swift
    /// let (values, vectors) = try BLAS.symmetricEigen(doubles: [2, 1, 1, 2], size: 2)   // values [1, 3]
    /// ```
    public static func symmetricEigen(doubles matrix: [Double], size: Int) throws -> (values: [Double], vectors: [Double]) {
        guard size >= 0, matrix.count == size * size else {
            throw PruneKitError.invalidParameter(name: "matrix", expected: "\(size * size) entries of an [\(size), \(size)] matrix",
                                                 found: "\(matrix.count)")
        }
        if size == 0 { return ([], []) }
        var n = Int32(size), a = matrix, values = [Double](repeating: 0, count: size)
        var jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "L"))  // row-major upper = column-major lower
        var lda = n, info: Int32 = 0, workSize: Double = 0, iworkSize: Int32 = 0, query: Int32 = -1
        dsyevd_(&jobz, &uplo, &n, &a, &lda, &values, &workSize, &query, &iworkSize, &query, &info)
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        var iwork = [Int32](repeating: 0, count: Int(max(liwork, 1)))
        dsyevd_(&jobz, &uplo, &n, &a, &lda, &values, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else {
            throw PruneKitError.libraryFailure(library: "LAPACK dsyevd", message: "info = \(info) for n = \(n)")
        }
        return (values, a)  // column-major columns read row-major are rows
    }
}
