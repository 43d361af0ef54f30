import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// The large-buffer pool: exact-size reuse, and pooled + live bytes bounded by the largest live total plus a slack.
final class BufferPoolTests: XCTestCase {
    func testReusesABufferOfTheSameSize() {
        let pool = BufferPool()
        let first = pool.take(bytes: 1 << 20)
        pool.give(first, bytes: 1 << 20)
        XCTAssertEqual(pool.pooled, 1 << 20)
        XCTAssertEqual(pool.take(bytes: 1 << 20), first)
        XCTAssertEqual(pool.pooled, 0)
    }

    func testEvictsInsteadOfGrowingPastThePeak() {
        let (half, one, two) = (1 << 19, 1 << 20, 2 << 20)
        let pool = BufferPool(minimumSlack: 0)
        let small = pool.take(bytes: one)        // live 1 MiB = peak
        pool.give(small, bytes: one)             // pooled 1 MiB
        let large = pool.take(bytes: two)        // live 2 = peak; pooled 1 + live 2 > 1.25 x 2: the 1 MiB buffer goes
        XCTAssertEqual(pool.pooled, 0)
        pool.give(large, bytes: two)             // pooled 2
        let medium = pool.take(bytes: half)      // 2 + 0.5 <= 2.5: the 2 MiB buffer stays
        XCTAssertEqual(pool.pooled, two)
        let another = pool.take(bytes: one)      // 2 + 1.5 > 2.5: now it goes
        XCTAssertEqual(pool.pooled, 0)
        pool.give(medium, bytes: half)
        pool.give(another, bytes: one)
        XCTAssertEqual(pool.pooled, half + one)
    }

    func testInferenceCyclingThroughSizesNeverRemaps() {
        // LeNet-5 inference: few buffers live at once, more distinct sizes per step than 25% of that peak. With
        // the floor every size stays pooled and step 2 reuses step 1's buffers; without it each take
        // evicted the buffer the next take wanted.
        let sizes = [5_898_240, 1_474_560, 1_638_400, 409_600, 256_000]
        for slack in [256 << 20, 0] {
            let pool = BufferPool(minimumSlack: slack)
            var first: [UnsafeMutableRawPointer] = [], second: [UnsafeMutableRawPointer] = []
            for step in 0..<2 {
                var previous: (UnsafeMutableRawPointer, Int)?
                for size in sizes {  // each layer's output frees its input
                    let buffer = pool.take(bytes: size)
                    if step == 0 { first.append(buffer) } else { second.append(buffer) }
                    if let (pointer, bytes) = previous { pool.give(pointer, bytes: bytes) }
                    previous = (buffer, size)
                }
                pool.give(previous!.0, bytes: previous!.1)
            }
            if slack > 0 {
                XCTAssertEqual(first, second, "step 2 reuses step 1's buffers")
                XCTAssertEqual(pool.pooled, sizes.reduce(0, +), "every size stays pooled")
            } else {
                // (Pointers can repeat here too: mmap often hands back an address just unmapped.)
                XCTAssertLessThan(pool.pooled, sizes.reduce(0, +), "without the floor, buffers were evicted")
            }
        }
    }

    func testLargeTensorsGoThroughThePool() {
        let count = 65_550  // 256 KiB and a bit: an unusual size, so no other test's buffer is involved
        var first: UnsafeMutablePointer<Float>?
        do {
            var tensor = Tensor(zeros: [count])
            tensor.withUnsafeMutableBufferPointer { $0[7] = 3; first = $0.baseAddress }
        }
        let reused = Tensor(zeros: [count])
        XCTAssertEqual(reused.storage.pointer, first, "the freed buffer should be taken again")
        XCTAssertEqual(reused.maxAbsolute(), 0, "and zeroed again")
    }
}
