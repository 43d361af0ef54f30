import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// `Tensor(allocating:)`, the throwing allocation for sizes that come from files: failures are errors naming
/// the purpose, the bytes and the reason, and a failed request leaves the pool usable.
final class TensorAllocationTests: XCTestCase {
    func testAnAllocationLargerThanTheAddressSpaceThrows() {
        // 2^48 bytes: above the 2^47-byte user address space of x86-64 and AArch64, whatever the overcommit policy.
        assertThrowsPruneKitError(["probe", "cannot allocate 281474976710656 bytes"]) {
            _ = try Tensor(allocating: [1 << 46], zeroed: false, purpose: "probe")
        }
        XCTAssertEqual(try Tensor(allocating: [1 << 16], purpose: "after").count, 1 << 16)
    }

    func testAnElementCountBeyondIntThrows() {
        assertThrowsPruneKitError(["probe", "4 x 1099511627776 x 1099511627776", "overflows Int"]) {
            _ = try Tensor(allocating: [1 << 40, 1 << 40], purpose: "probe")
        }
        assertThrowsPruneKitError(["probe", "negative"]) { _ = try Tensor(allocating: [2, -1], purpose: "probe") }
    }

    func testAllocatedTensorsAreZeroedOrFilledLikeTheirNonThrowingForms() throws {
        XCTAssertEqual(try Tensor(allocating: [3, 50_000], purpose: "zeros"), Tensor(zeros: [3, 50_000]))
        var first = SplitMix64(seed: 9), second = SplitMix64(seed: 9)
        var filled = try Tensor(allocating: [7, 5], zeroed: false, purpose: "uniform")
        filled.fillUniform(low: -1, high: 1, generator: &first)
        XCTAssertEqual(filled, Tensor.uniform(shape: [7, 5], low: -1, high: 1, generator: &second))
    }

    func testThePoolSurvivesAFailedMapping() {
        let pool = BufferPool(minimumSlack: 0)
        XCTAssertNil(pool.takeIfPossible(bytes: 1 << 48))
        let buffer = pool.take(bytes: 1 << 20)
        pool.give(buffer, bytes: 1 << 20)
        XCTAssertEqual(pool.pooled, 1 << 20)
    }
}
