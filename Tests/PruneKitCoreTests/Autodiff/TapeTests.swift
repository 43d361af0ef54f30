import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

final class TapeTests: XCTestCase {
    func testFanOutAccumulatesAndLeafGradientsPersist() throws {
        // y = sum(w * x + w * x) via matmul twice: dy/dw = 2 x^T.
        let w = Variable(parameter: try Tensor(shape: [1, 2], scalars: [3, 4]), name: "w")
        let x = Variable(try Tensor(shape: [2, 1], scalars: [5, 7]))
        let y = try add(matmul(w, x), matmul(w, x))
        try y.backward()
        XCTAssertEqual(w.gradient?.scalars, [10, 14])
        XCTAssertNil(x.gradient, "data does not require a gradient")
        try add(matmul(w, x), matmul(w, x)).backward()
        XCTAssertEqual(w.gradient?.scalars, [20, 28], "backward accumulates until zeroed")
        w.zeroGradient()
        XCTAssertNil(w.gradient)
    }

    func testNoGradientScopeRecordsNothing() throws {
        let w = Variable(parameter: Tensor(repeating: 2, shape: [2, 2]), name: "w")
        let y = try GradientMode.withoutGradients { try matmul(w, w) }
        XCTAssertFalse(y.requiresGradient)
        XCTAssertTrue(y.parents.isEmpty)
        XCTAssertTrue(GradientMode.isEnabled, "the scope restores recording")
        assertThrowsPruneKitError(["backward", "does not depend"]) { try y.backward() }
    }

    func testDeepChainHasNoRecursionLimit() throws {
        var node = Variable(parameter: Tensor(repeating: 1, shape: [4]), name: "start")
        let start = node
        for _ in 0..<5000 { node = relu(node) }
        try node.backward()
        XCTAssertEqual(start.gradient?.scalars, [1, 1, 1, 1])
    }
}
