import XCTest
import PruneKitCore

/// |actual - expected| <= absolute + relative * |expected| for every element, shapes first.
package func assertClose(_ actual: Tensor, _ expected: [Float], shape: [Int]? = nil, relative: Float = 1e-5, absolute: Float = 1e-5,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    if let shape { XCTAssertEqual(actual.shape, shape, "shape \(message)", file: file, line: line) }
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    for (index, (a, e)) in zip(actual.scalars, expected).enumerated() where !(abs(a - e) <= absolute + relative * abs(e)) {
        XCTFail("element \(index): \(a) vs expected \(e) \(message)", file: file, line: line)
        return
    }
}

/// A seeded tensor of uniform values in [-1, 1) kept at least `gap` away from 0 (so ReLU kinks are not
/// straddled by finite differences).
package func randomTensor(_ shape: [Int], seed: UInt64, gap: Float = 0) -> Tensor {
    var generator = SplitMix64(seed: seed)
    return Tensor.uniform(shape: shape, low: -1, high: 1, generator: &generator).map { value in
        abs(value) < gap ? (value < 0 ? -gap : gap) + value : value
    }
}

/// Asserts that `body` throws a `PruneKitError` whose description contains every fragment.
package func assertThrowsPruneKitError(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected a PruneKitError containing \(fragments)", file: file, line: line)
    } catch let error as PruneKitError {
        for fragment in fragments where !error.description.contains(fragment) {
            XCTFail("error '\(error.description)' does not mention '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected PruneKitError, got \(error)", file: file, line: line)
    }
}
