import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

final class TensorTests: XCTestCase {
    func testRowMajorIndexingAndCopyOnWrite() throws {
        var a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a[1, 2], 6)
        let b = a
        a[0, 0] = 10
        XCTAssertEqual(b[0, 0], 1, "a copy must not see writes to the original")
        XCTAssertEqual(a.scalars, [10, 2, 3, 4, 5, 6])
        let reshaped = try a.reshaped([3, 2])
        XCTAssertEqual(reshaped[2, 1], 6)
    }

    func testReductions() throws {
        let t = Tensor.ramp(shape: [37])  // not a multiple of 16: exercises the SIMD tail
        XCTAssertEqual(t.sum(), 666)
        XCTAssertEqual(t.squaredNorm(), Float((0..<37).reduce(0) { $0 + $1 * $1 }))
        XCTAssertEqual(try Tensor(shape: [2, 3], scalars: [0, 5, 1, 7, 2, 7]).argmaxRows(), [1, 0], "ties go to the first maximum, as torch.argmax")
    }

    func testSeededGeneratorIsReproducible() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        // First output of SplitMix64(seed: 0), from the reference C implementation (Vigna).
        var zero = SplitMix64(seed: 0)
        XCTAssertEqual(zero.next(), 0xE220_A839_7B1D_CDAF)
        var normal = SplitMix64(seed: 3)
        let samples = Tensor.normal(shape: [20000], generator: &normal)
        XCTAssertEqual(samples.mean(), 0, accuracy: 0.03)
        XCTAssertEqual(samples.squaredNorm() / 20000, 1, accuracy: 0.05)
    }

    func testShapeErrors() {
        assertThrowsPruneKitError(["Tensor(shape:scalars:)", "6", "5"]) { _ = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5]) }
        assertThrowsPruneKitError(["reshape", "[4, 2]"]) { _ = try Tensor(zeros: [2, 3]).reshaped([4, 2]) }
        assertThrowsPruneKitError(["addScaled", "[2, 3]", "[3, 2]"]) {
            var a = Tensor(zeros: [2, 3]); try a.addScaled(Tensor(zeros: [3, 2]))
        }
    }
}
