import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Times one block-pruned weight in its formats (`prune-cli bench CKPT` on a checkpoint with block records): decoding
/// the regular-block format vs CSR to a dense [R, N] buffer, and W X (X [N, J] uniform in [-1, 1)) by the regular-block
/// kernel, the CSR kernel and dense sgemm of the decoded matrix, at each batch J. Every time is the median over runs of
/// at least `minimumSeconds / 20` each; one thread for all of them (OpenBLAS is set to 1 thread and restored).
///
/// ```swift
/// let row = try RegularBlockBenchmark.measure(layer: "fc1", weight: weight, blockSizes: sizes, batches: [1, 128])
/// row.decodeMilliseconds.regularBlock; row.multiply[0].times.dense     // batch 1
/// ```
public struct RegularBlockBenchmark: Codable, Equatable {
    /// Milliseconds per call of each format.
    public struct Times: Codable, Equatable {
        /// Regular-block format.
        public var regularBlock: Double
        /// CSR with 32-bit columns.
        public var csr: Double
        /// Dense (sgemm; nil for decoding).
        public var dense: Double?
    }

    /// W X times at one batch size.
    public struct BatchTimes: Codable, Equatable {
        /// J.
        public var batch: Int
        /// Milliseconds per call.
        public var times: Times
    }

    /// Layer name, R and N, kept entries.
    public var layer: String, rows: Int, columns: Int, keptWeights: Int
    /// Decoding to dense.
    public var decodeMilliseconds: Times
    /// W X per batch size, in the order asked.
    public var multiply: [BatchTimes]

    /// Measures `weight` ([R, ...]) with row block sizes `blockSizes`.
    public static func measure(layer: String, weight: Tensor, blockSizes: [Int], batches: [Int], minimumSeconds: Double = 0.2) throws -> RegularBlockBenchmark {
        let rows = weight.shape[0], columns = weight.count / max(rows, 1)
        let matrix = try RegularBlockMatrix(encoding: weight.scalars, rows: rows, columns: columns, blockSizes: blockSizes)
        let dense = matrix.decoded(), csr = CompressedSparseRowMatrix(dense: dense, rows: rows, columns: columns)
        let threads = BLAS.threadCount
        BLAS.setThreadCount(1)
        defer { BLAS.setThreadCount(threads) }
        let slice = minimumSeconds / 20
        var output = [Float](repeating: 0, count: rows * max(columns, batches.max() ?? 1))
        let decode = output.withUnsafeMutableBufferPointer { out in
            Times(regularBlock: median(slice) { matrix.decode(into: out.baseAddress!) }, csr: median(slice) { csr.decode(into: out.baseAddress!) }, dense: nil)
        }
        var generator = SplitMix64(seed: 1), multiply: [BatchTimes] = []
        for batch in batches {
            let x = (0..<(columns * batch)).map { _ in 2 * generator.nextUniform() - 1 }
            let times = x.withUnsafeBufferPointer { x in
                dense.withUnsafeBufferPointer { w in
                    output.withUnsafeMutableBufferPointer { out in
                        let (xp, wp, yp) = (x.baseAddress!, w.baseAddress!, out.baseAddress!)
                        return Times(regularBlock: median(slice) { matrix.multiply(xp, batch: batch, into: yp) },
                                     csr: median(slice) { csr.multiply(xp, batch: batch, into: yp) },
                                     dense: median(slice) {
                                         BLAS.sgemm(transposeA: false, transposeB: false, m: rows, n: batch, k: columns, alpha: 1, a: wp, lda: columns,
                                                    b: xp, ldb: batch, beta: 0, c: yp, ldc: batch)
                                     })
                    }
                }
            }
            multiply.append(BatchTimes(batch: batch, times: times))
        }
        return RegularBlockBenchmark(layer: layer, rows: rows, columns: columns, keptWeights: matrix.keptCount, decodeMilliseconds: decode, multiply: multiply)
    }

    /// Median milliseconds per call over 5 runs, each repeating `body` until `seconds` have passed (after one warm-up call).
    static func median(_ seconds: Double, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<5 {
            var calls = 0
            let start = Profiler.now()
            repeat { body(); calls += 1 } while Profiler.now() - start < seconds
            times.append(1000 * (Profiler.now() - start) / Double(calls))
        }
        return times.sorted()[2]
    }

    /// Lines for the terminal: decode, then one line per batch.
    public var lines: [String] {
        var lines = [String(format: "%@ [%d x %d], kept %d: decode to dense: regular-block %.4f ms, CSR %.4f ms (%.2fx)", layer, rows, columns, keptWeights,
                            decodeMilliseconds.regularBlock, decodeMilliseconds.csr, decodeMilliseconds.csr / decodeMilliseconds.regularBlock)]
        for (batch, times) in multiply.map({ ($0.batch, $0.times) }) {
            lines.append(String(format: "%@ batch %d: W X regular-block %.4f ms, CSR %.4f ms, dense sgemm %.4f ms (regular-block %.2fx vs dense)",
                                layer, batch, times.regularBlock, times.csr, times.dense ?? 0, (times.dense ?? 0) / times.regularBlock))
        }
        return lines
    }
}
