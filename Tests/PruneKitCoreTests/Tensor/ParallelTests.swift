import Dispatch
import Foundation
import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// `Parallel.forEachChunk` on the spinning pool (ThreadPool.c) and on its Dispatch fallback: every index is
/// covered exactly once by contiguous chunks, across thousands of back-to-back jobs (a late worker must never
/// run a chunk of a job it did not read), with more chunks than threads, with callers on several threads at
/// once (one gets the pool, the others fall back to Dispatch), and with work on more than one thread.
final class ParallelTests: XCTestCase {
    private var threads = 1, usesPool = true
    override func setUp() { (threads, usesPool) = (Parallel.threadCount, Parallel.usesSpinningPool) }
    override func tearDown() { (Parallel.threadCount, Parallel.usesSpinningPool) = (threads, usesPool) }

    /// Adds 1 to counts[i] for every i the chunks cover; returns the chunks seen as (chunk, range) pairs.
    private func coverOnce(count: Int, minimumPerChunk: Int = 1, counts: UnsafeMutablePointer<Int32>) -> [(Int, Range<Int>)] {
        let lock = NSLock()
        var seen: [(Int, Range<Int>)] = []
        Parallel.forEachChunk(count: count, minimumPerChunk: minimumPerChunk) { chunk, range in
            for index in range { counts[index] += 1 }
            lock.lock(); seen.append((chunk, range)); lock.unlock()
        }
        return seen.sorted { $0.0 < $1.0 }
    }

    func testEveryIndexRunsOnceOverManyBackToBackJobs() {
        for pool in [true, false] {
            Parallel.usesSpinningPool = pool
            for threadCount in [2, 3, 5] {
                Parallel.threadCount = threadCount
                let counts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
                defer { counts.deallocate() }
                for job in 0..<3000 {
                    let count = 1 + job % 64
                    counts.initialize(repeating: 0, count: count)
                    let chunks = coverOnce(count: count, counts: counts)
                    let expected = min(threadCount, count)
                    XCTAssertEqual(chunks.map(\.0), Array(0..<expected), "pool \(pool) threads \(threadCount) count \(count)")
                    XCTAssertEqual(chunks.first?.1.lowerBound, 0)
                    XCTAssertEqual(chunks.last?.1.upperBound, count)
                    for (previous, next) in zip(chunks, chunks.dropFirst()) { XCTAssertEqual(previous.1.upperBound, next.1.lowerBound) }
                    let wrong = (0..<count).filter { counts[$0] != 1 }
                    if !wrong.isEmpty { XCTFail("pool \(pool) threads \(threadCount) job \(job): indices \(wrong) not run once"); return }
                }
            }
        }
    }

    func testMinimumPerChunkLimitsTheSplit() {
        Parallel.threadCount = 4
        let counts = UnsafeMutablePointer<Int32>.allocate(capacity: 10)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: 10)
        XCTAssertEqual(coverOnce(count: 10, minimumPerChunk: 4, counts: counts).count, 2, "10 / 4 -> 2 chunks")
        XCTAssertEqual((0..<10).map { counts[$0] }, Array(repeating: 1, count: 10))
    }

    func testConcurrentCallersAllComplete() {
        Parallel.threadCount = 2
        let callers = 4, jobs = 300, count = 37
        let totals = UnsafeMutablePointer<Int>.allocate(capacity: callers)
        defer { totals.deallocate() }
        totals.initialize(repeating: 0, count: callers)
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            let sums = UnsafeMutablePointer<Int>.allocate(capacity: 2)
            defer { sums.deallocate() }
            for _ in 0..<jobs {
                sums.initialize(repeating: 0, count: 2)
                Parallel.forEachChunk(count: count) { chunk, range in sums[chunk] += range.reduce(0, +) }
                totals[caller] += sums[0] + sums[1]
            }
        }
        for caller in 0..<callers { XCTAssertEqual(totals[caller], jobs * (count * (count - 1) / 2), "caller \(caller)") }
    }

    func testChunksRunOnMoreThanOneThread() throws {
        try XCTSkipIf(ProcessInfo.processInfo.activeProcessorCount < 2, "needs two cores")
        Parallel.threadCount = 2
        Parallel.usesSpinningPool = true
        let lock = NSLock()
        var threadsSeen = Set<UInt>()
        for _ in 0..<200 {
            Parallel.forEachChunk(count: 2) { _, _ in
                // Each chunk waits briefly so one thread cannot take both before the other wakes.
                let start = DispatchTime.now().uptimeNanoseconds
                while DispatchTime.now().uptimeNanoseconds - start < 200_000 {}
                lock.lock(); threadsSeen.insert(UInt(pthread_self())); lock.unlock()
            }
        }
        XCTAssertGreaterThanOrEqual(threadsSeen.count, 2, "chunks ran on \(threadsSeen.count) thread(s)")
    }
}
