import Dispatch
import Foundation
import PruneKitKernels

/// How many threads PruneKit uses, and the helper that splits work across them.
///
/// One setting controls both sides: `PRUNEKIT_THREADS` (default: all cores) is the number of threads
/// (the caller plus spinning pool workers, ThreadPool.c) for im2col, elementwise and per-sample work. OpenBLAS is kept at one thread while PruneKit
/// parallelises over samples itself, which measured best here (../shared/SWIFT-BLAS.md §7: 8.3 ms for two
/// Dispatch workers with single-threaded sgemm vs 9.7 ms for one caller with two OpenBLAS threads).
public enum Parallel {
    nonisolated(unsafe) private static var configured: Int = {
        let fromEnvironment = ProcessInfo.processInfo.environment["PRUNEKIT_THREADS"].flatMap { Int($0) }
        let count = max(1, fromEnvironment ?? ProcessInfo.processInfo.activeProcessorCount)
        BLAS.setThreadCount(1)
        MemoryPolicy.keepFreedMemoryMapped()
        return count
    }()

    /// Number of worker threads.
    public static var threadCount: Int {
        get { configured }
        set { configured = max(1, newValue); BLAS.setThreadCount(1) }
    }

    /// Whether the calling thread is already running a `forEachChunk` body (then nested calls run serially).
    public static var isNested: Bool { pk_parallel_depth() > 0 }

    /// Runs `body(chunk, range)` for `chunks` contiguous pieces of 0..<count, in parallel when there is more
    /// than one thread and at least `minimumPerChunk` items per piece (small work runs serially). Chunks are
    /// claimed dynamically, so with more chunks than cores a thread may run several. Inside another `forEachChunk` body it runs serially as one chunk: the outer
    /// split already uses every thread (whole inference passes per thread, `Model.forward`).
    public static func forEachChunk(count: Int, minimumPerChunk: Int = 1,
                                    _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        let chunks = isNested ? 1 : Swift.min(threadCount, Swift.max(1, count / Swift.max(minimumPerChunk, 1)))
        if chunks <= 1 { if count > 0 { body(0, 0..<count) }; return }
        withoutActuallyEscaping(body) { body in
            let run: (Int) -> Void = { chunk in
                let start = count * chunk / chunks
                let end = count * (chunk + 1) / chunks
                if end > start { body(chunk, start..<end) }
            }
            if usesSpinningPool {
                let ran = withUnsafePointer(to: run) { pointer in
                    pk_pool_run(chunks, Int32(Swift.min(chunks, processorCount)), runChunk,
                                UnsafeMutableRawPointer(mutating: pointer))
                }
                if ran != 0 { return }
            }
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                pk_parallel_enter()
                defer { pk_parallel_exit() }
                run(chunk)
            }
        }
    }

    /// Fewest elements per chunk for elementwise work (ReLU, gradient accumulation, SGD updates): about 4 us of
    /// streaming, several times a pool fork-join (~1 us). It was 2^17-2^18 while every fork-join woke a Dispatch
    /// worker by futex (10-30 us).
    public nonisolated(unsafe) static var elementwiseGrain: Int = 1 << 14

    /// Whether `forEachChunk` uses the spinning pool (ThreadPool.c) rather than `DispatchQueue.concurrentPerform`.
    /// Default on; `PRUNEKIT_POOL=dispatch` turns it off. Dispatch wakes a parked worker by futex on every call,
    /// 10-30 us each: the MLP trained no faster on two threads than on one. Pool workers poll for the next job
    /// for up to `PRUNEKIT_SPIN_MICROSECONDS` (default 2000) before they sleep. Dispatch remains the fallback when two
    /// threads fork at once (the pool serves one caller at a time).
    public nonisolated(unsafe) static var usesSpinningPool: Bool =
        ProcessInfo.processInfo.environment["PRUNEKIT_POOL"] != "dispatch"

    private static let processorCount = ProcessInfo.processInfo.activeProcessorCount
}

/// C entry point of a pool chunk: `context` points at the `(Int) -> Void` closure of `forEachChunk`.
private let runChunk: pk_chunk_function = { context, chunk in
    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(chunk)
}
