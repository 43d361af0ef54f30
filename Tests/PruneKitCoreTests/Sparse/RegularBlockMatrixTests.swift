import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// DARB's regular-block format (darb.md tests 1, 3, 4, 5): encoding, bit-packed offsets, decoding, byte counts, and the
/// sparse kernels against sgemm of the decoded matrix.
final class RegularBlockMatrixTests: XCTestCase {
    /// darb.md test 1: [0.1, -0.9, 0.3, 0.2, 0.5, -0.4, 0.05, 0.6], b = 4 keeps -0.9 and 0.6 at offsets 1 and 3 (2 bits).
    func testBlockMaxOfTheSpecRow() throws {
        let matrix = try RegularBlockMatrix(encoding: [0.1, -0.9, 0.3, 0.2, 0.5, -0.4, 0.05, 0.6], rows: 1, columns: 8, blockSizes: [4])
        XCTAssertEqual(matrix.values, [-0.9, 0.6])
        XCTAssertEqual([matrix.offset(row: 0, block: 0), matrix.offset(row: 0, block: 1)], [1, 3])
        XCTAssertEqual(RegularBlockMatrix.offsetBits(blockSize: 4), 2)
        XCTAssertEqual(matrix.packedOffsets.prefix(matrix.offsetBytes), [0b1101])   // 01 then 11, least significant first
        XCTAssertEqual(matrix.decoded(), [0, -0.9, 0, 0, 0, 0, 0, 0.6])
    }

    /// darb.md tests 3 and 4: n = 10, b = 4 keeps 3 entries; b = 1 is dense (0 offset bits); b >= n keeps the row max.
    func testPartialBlocksDenseRowsAndWholeRowBlocks() throws {
        let row: [Float] = [1, -2, 3, 0.5, 9, 0, 0, 0, -8, 7]
        let partial = try RegularBlockMatrix(encoding: row, rows: 1, columns: 10, blockSizes: [4])
        XCTAssertEqual(partial.values, [3, 9, -8])
        XCTAssertEqual(partial.decoded(), [0, 0, 3, 0, 9, 0, 0, 0, -8, 0])
        let dense = try RegularBlockMatrix(encoding: row, rows: 1, columns: 10, blockSizes: [1])
        XCTAssertEqual(dense.decoded(), row)
        XCTAssertEqual(dense.offsetBytes, 0)
        for size in [10, 16, 1000] {
            let whole = try RegularBlockMatrix(encoding: row, rows: 1, columns: 10, blockSizes: [size])
            XCTAssertEqual(whole.values, [9], "b = \(size)")
        }
        XCTAssertEqual([1, 2, 3, 4, 5, 8, 9, 64, 65].map { RegularBlockMatrix.offsetBits(blockSize: $0) }, [0, 1, 2, 2, 3, 3, 4, 6, 7])
    }

    /// Golden bytes: 3 rows of 10 with b = [1, 4, 16]: K = 10 + 3 + 1 = 14 values (56 bytes), offsets 0 + 3*2 + 1*4 = 10
    /// bits (2 bytes), block sizes 6 bytes: 64. CSR of the same decoded matrix (13 non-zeros: row 0 keeps a zero): 8*13 + 16 = 120.
    func testByteCountsOfASmallCase() throws {
        var dense = (0..<30).map { Float($0 % 7) - 3 }
        dense[14] = 0
        let matrix = try RegularBlockMatrix(encoding: dense, rows: 3, columns: 10, blockSizes: [1, 4, 16])
        XCTAssertEqual(matrix.keptCount, 14)
        XCTAssertEqual(matrix.offsetBytes, 2)
        XCTAssertEqual(matrix.storageBytes, 64)
        let csr = CompressedSparseRowMatrix(dense: matrix.decoded(), rows: 3, columns: 10)
        XCTAssertEqual(csr.nonzeroCount, 13)
        XCTAssertEqual(csr.storageBytes, 120)
    }

    /// darb.md tests 2 and 5 as a property: random matrices and block sizes (1, b >= n, partial blocks, all-zero rows):
    /// each block keeps its first largest-|w| entry, kept = sum ceil(n / b_r), decode(encode(W)) = the masked W, and
    /// decoding the parts through the stored-bytes initialiser gives the same matrix.
    func testEncodeDecodeRoundTripProperty() throws {
        var generator = SplitMix64(seed: 7)
        for trial in 0..<60 {
            let rows = 1 + Int(generator.next() % 9), columns = 1 + Int(generator.next() % 70)
            let sizes = (0..<rows).map { _ in [1, 2, 3, 4, 7, 8, 16, 64, columns, columns + 5][Int(generator.next() % 10)] }
            var dense = (0..<(rows * columns)).map { _ in Float(Int(generator.next() % 11) - 5) }   // ties on purpose
            if trial % 3 == 0 { for column in 0..<columns { dense[column] = 0 } }                 // an all-zero row
            let matrix = try RegularBlockMatrix(encoding: dense, rows: rows, columns: columns, blockSizes: sizes)
            var expected = [Float](repeating: 0, count: rows * columns)
            for row in 0..<rows {
                for start in stride(from: 0, to: columns, by: sizes[row]) {
                    let block = (row * columns + start)..<(row * columns + min(start + sizes[row], columns))
                    let best = block.first { abs(dense[$0]) == block.map { abs(dense[$0]) }.max()! }!
                    expected[best] = dense[best]
                }
            }
            XCTAssertEqual(matrix.keptCount, sizes.reduce(0) { $0 + (columns + $1 - 1) / $1 })
            XCTAssertEqual(matrix.decoded(), expected, "trial \(trial): \(rows) x \(columns), b = \(sizes)")
            let stored = try RegularBlockMatrix(rows: rows, columns: columns, blockSizes: sizes, values: matrix.values,
                                                packedOffsets: Array(matrix.packedOffsets.prefix(matrix.offsetBytes)))
            XCTAssertEqual(stored, matrix)
            let csr = CompressedSparseRowMatrix(dense: expected, rows: rows, columns: columns)
            var decodedCSR = [Float](repeating: 1, count: rows * columns)
            decodedCSR.withUnsafeMutableBufferPointer { csr.decode(into: $0.baseAddress!) }
            XCTAssertEqual(decodedCSR, expected)
            var portable = [Float](repeating: 1, count: rows * columns)
            portable.withUnsafeMutableBufferPointer { matrix.decodePortable(into: $0.baseAddress!) }
            XCTAssertEqual(portable, expected, "portable decoder")
        }
    }

    /// The kernels (AVX-512 where the CPU has it, and the portable Swift ones) equal sgemm of the decoded matrix (1e-5 relative to the largest |y|) at batch 1, 7 and 128, and CSR's too.
    func testSparseKernelsMatchDenseSgemm() throws {
        var generator = SplitMix64(seed: 11)
        for (rows, columns) in [(5, 37), (16, 150), (33, 576), (9, 2000)] {
            let sizes = (0..<rows).map { [1, 2, 4, 8, 16, 32, 64, 3, 1000][$0 % 9] }
            let dense = (0..<(rows * columns)).map { _ in 2 * generator.nextUniform() - 1 }
            let matrix = try RegularBlockMatrix(encoding: dense, rows: rows, columns: columns, blockSizes: sizes)
            let decoded = matrix.decoded(), csr = CompressedSparseRowMatrix(dense: decoded, rows: rows, columns: columns)
            for batch in [1, 7, 65, 128] {
                let x = (0..<(columns * batch)).map { _ in 2 * generator.nextUniform() - 1 }
                var expected = [Float](repeating: 0, count: rows * batch), actual = expected, viaCSR = expected, portable = expected
                var withoutShuffles = expected
                decoded.withUnsafeBufferPointer { a in x.withUnsafeBufferPointer { b in expected.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transposeA: false, transposeB: false, m: rows, n: batch, k: columns, alpha: 1, a: a.baseAddress!, lda: columns,
                               b: b.baseAddress!, ldb: batch, beta: 0, c: c.baseAddress!, ldc: batch)
                } } }
                x.withUnsafeBufferPointer { b in
                    actual.withUnsafeMutableBufferPointer { matrix.multiply(b.baseAddress!, batch: batch, into: $0.baseAddress!) }
                    viaCSR.withUnsafeMutableBufferPointer { csr.multiply(b.baseAddress!, batch: batch, into: $0.baseAddress!) }
                    portable.withUnsafeMutableBufferPointer { matrix.multiplyPortable(b.baseAddress!, batch: batch, into: $0.baseAddress!) }
                    withoutShuffles.withUnsafeMutableBufferPointer {
                        matrix.multiply(b.baseAddress!, batch: batch, into: $0.baseAddress!, allowingByteShuffles: false)
                    }
                }
                let scale = max(expected.map(abs).max()!, 1e-3)
                for index in expected.indices {
                    XCTAssertEqual(actual[index], expected[index], accuracy: 1e-5 * scale, "\(rows)x\(columns) batch \(batch) [\(index)]")
                    XCTAssertEqual(viaCSR[index], expected[index], accuracy: 1e-5 * scale)
                    XCTAssertEqual(portable[index], expected[index], accuracy: 1e-5 * scale, "portable kernel")
                    XCTAssertEqual(withoutShuffles[index], expected[index], accuracy: 1e-5 * scale, "AVX-512F batch-1 kernel")
                }
            }
        }
    }

    /// Wrong parts throw naming what does not fit, never trap.
    func testInvalidPartsThrow() {
        assertThrowsPruneKitError(["blockSizes"]) { _ = try RegularBlockMatrix(encoding: [1, 2], rows: 1, columns: 2, blockSizes: [0]) }
        assertThrowsPruneKitError(["regular-block encoding"]) { _ = try RegularBlockMatrix(encoding: [1, 2], rows: 1, columns: 3, blockSizes: [1]) }
        assertThrowsPruneKitError(["offsets[1]"]) {
            _ = try RegularBlockMatrix(rows: 1, columns: 6, blockSizes: [4], values: [1, 2], offsets: [0, 2])   // last block has 2 entries
        }
    }
}
