import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

final class BLASTests: XCTestCase {
    /// sgemm against the naive reference on odd shapes, every transpose combination, alpha and beta.
    func testSgemmMatchesReference() {
        let shapes = [(1, 1, 1), (7, 13, 5), (16, 3, 33), (2, 65, 17)]
        for (m, n, k) in shapes {
            for transposeA in [false, true] { for transposeB in [false, true] {
                let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 1)
                let b = randomTensor(transposeB ? [n, k] : [k, n], seed: 2)
                var fast = randomTensor([m, n], seed: 3), slow = fast
                let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
                fast.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7,
                               a: a.storage.pointer, lda: lda, b: b.storage.pointer, ldb: ldb, beta: 0.3, c: c.baseAddress!, ldc: n)
                }
                slow.withUnsafeMutableBufferPointer { c in
                    BLAS.referenceGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7,
                                       a: a.storage.pointer, lda: lda, b: b.storage.pointer, ldb: ldb, beta: 0.3, c: c.baseAddress!, ldc: n)
                }
                assertClose(fast, slow.scalars, shape: [m, n], relative: 1e-5, absolute: 1e-5, "\(m)x\(n)x\(k) tA \(transposeA) tB \(transposeB)")
            } }
        }
    }

    /// The row-split product linear layers use, with 3 workers on shapes large enough to split unevenly.
    func testParallelSgemmMatchesReference() {
        let previous = Parallel.threadCount
        defer { Parallel.threadCount = previous }
        Parallel.threadCount = 3
        for (m, n, k) in [(37, 300, 400), (250, 128, 100), (5, 70, 30)] {  // 3, 3 and 1 chunks
            for transposeA in [false, true] { for transposeB in [false, true] {
                let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 1)
                let b = randomTensor(transposeB ? [n, k] : [k, n], seed: 2)
                var fast = randomTensor([m, n], seed: 3), slow = fast
                let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
                fast.withUnsafeMutableBufferPointer { c in
                    BLAS.parallelSgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7,
                                       a: a.storage.pointer, lda: lda, b: b.storage.pointer, ldb: ldb, beta: 0.3, c: c.baseAddress!, ldc: n)
                }
                slow.withUnsafeMutableBufferPointer { c in
                    BLAS.referenceGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7,
                                       a: a.storage.pointer, lda: lda, b: b.storage.pointer, ldb: ldb, beta: 0.3, c: c.baseAddress!, ldc: n)
                }
                assertClose(fast, slow.scalars, shape: [m, n], relative: 1e-4, absolute: 1e-4, "\(m)x\(n)x\(k) tA \(transposeA) tB \(transposeB)")
            } }
        }
    }

    func testReferenceGemmByHand() {
        // [[1,2],[3,4]] * [[5,6],[7,8]] = [[19,22],[43,50]]
        let a = Tensor.ramp(shape: [2, 2], start: 1), b = Tensor.ramp(shape: [2, 2], start: 5)
        var c = Tensor(zeros: [2, 2])
        c.withUnsafeMutableBufferPointer { BLAS.referenceGemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 2, alpha: 1,
            a: a.storage.pointer, lda: 2, b: b.storage.pointer, ldb: 2, beta: 0, c: $0.baseAddress!, ldc: 2) }
        XCTAssertEqual(c.scalars, [19, 22, 43, 50])
    }

    func testSymmetricEigenKnownMatrix() throws {
        // [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 1, 3, 5; vectors (1,-1,0)/sqrt2, (1,1,0)/sqrt2, (0,0,1).
        let matrix = try Tensor(shape: [3, 3], scalars: [2, 1, 0, 1, 2, 0, 0, 0, 5])
        let (values, vectors) = try BLAS.symmetricEigen(matrix)
        assertClose(try Tensor(shape: [3], scalars: values), [1, 3, 5], relative: 1e-6, absolute: 1e-6)
        let s = Float(0.5).squareRoot()
        XCTAssertEqual(abs(vectors[0, 0]), s, accuracy: 1e-6)
        XCTAssertEqual(vectors[0, 0], -vectors[0, 1], accuracy: 1e-6)
        XCTAssertEqual(vectors[1, 0], vectors[1, 1], accuracy: 1e-6)
        XCTAssertEqual(abs(vectors[2, 2]), 1, accuracy: 1e-6)
    }

    func testSymmetricEigenReconstructsRandomMatrix() throws {
        let n = 6
        let r = randomTensor([n, n], seed: 5)
        var a = Tensor(zeros: [n, n])
        for i in 0..<n { for j in 0..<n { a[i, j] = r[i, j] + r[j, i] } }
        let (values, vectors) = try BLAS.symmetricEigen(a)
        XCTAssertEqual(values, values.sorted())
        for i in 0..<n { for j in 0..<n {
            let rebuilt = (0..<n).reduce(Float(0)) { $0 + vectors[$1, i] * values[$1] * vectors[$1, j] }
            XCTAssertEqual(rebuilt, a[i, j], accuracy: 1e-4)
        } }
        assertThrowsPruneKitError(["symmetricEigen", "[2, 3]"]) { _ = try BLAS.symmetricEigen(Tensor(zeros: [2, 3])) }
    }
}
