import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// `scatterChannels`: kept channels land at their indices, the others hold the fill constant, and bad indices are
/// typed errors.
final class ChannelScatterTests: XCTestCase {
    func testForwardPlacesChannelsAndFills() throws {
        let input = try Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4])
        let fill = try Tensor(shape: [4], scalars: [-1, -2, -3, -4])
        let output = try scatterChannels(Variable(input), indices: [3, 1], fill: fill)
        XCTAssertEqual(output.shape, [1, 4, 1, 2])
        XCTAssertEqual(output.value.scalars, [-1, -1, 3, 4, -3, -3, 1, 2])
    }

    func testBackwardGathersKeptChannels() throws {
        let input = Variable(Tensor(zeros: [2, 2, 1, 1]), requiresGradient: true)
        let output = try scatterChannels(input, indices: [2, 0], fill: Tensor(zeros: [3]))
        try output.backward(seed: try Tensor(shape: [2, 3, 1, 1], scalars: [10, 11, 12, 20, 21, 22]))
        XCTAssertEqual(input.gradient?.scalars, [12, 10, 22, 20])
    }

    func testRejectsBadIndices() {
        let input = Variable(Tensor(zeros: [1, 2, 2, 2]))
        assertThrowsPruneKitError(["scatterChannels", "distinct"]) { _ = try scatterChannels(input, indices: [1, 1], fill: Tensor(zeros: [3])) }
        assertThrowsPruneKitError(["scatterChannels", "distinct"]) { _ = try scatterChannels(input, indices: [0, 3], fill: Tensor(zeros: [3])) }
        assertThrowsPruneKitError(["scatterChannels", "[1, 2, 2, 2]"]) { _ = try scatterChannels(input, indices: [0], fill: Tensor(zeros: [3])) }
    }
}
