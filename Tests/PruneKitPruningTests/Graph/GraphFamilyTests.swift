import XCTest
import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning
import PruneKitTestSupport

/// A user's architecture from JSON (`Examples/graphs/small-residual.json`): coupling derived from the graph,
/// channel surgery, the spec read back from the layers, and a checkpoint round trip.
final class GraphFamilyTests: XCTestCase {
    private var examplePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/graphs/small-residual.json").path
    }

    func testResidualGraphFromJSONIsCoupledByItsAdds() throws {
        let spec = try ModelSpec(contentsOfFile: examplePath)
        XCTAssertEqual(spec.family, .graph)
        XCTAssertEqual(spec.name, "small-residual")
        let groups = try DependencyGraph(spec: spec).groups
        XCTAssertEqual(groups.map(\.name), ["block1.conv1", "block2.conv1", "stem", "block2.conv2"])
        XCTAssertEqual(groups.map(\.kind), [.layer, .layer, .residualStream, .residualStream])
        let stream = groups[2]
        XCTAssertEqual(stream.members.map(\.layerName), ["stem", "block1.conv2", "stem_bn", "block1.bn2", "block1.conv1",
                                                         "block2.conv1", "block2.shortcut"])
        XCTAssertEqual(groups[3].members.map(\.layerName), ["block2.conv2", "block2.shortcut", "block2.bn2", "block2.shortcut_bn", "fc"])
        XCTAssertEqual(try ModelCost(spec: spec).parameterCount, 3 * 16 * 9 + 16 * 16 * 9 * 2 + 16 * 32 * 9 + 32 * 32 * 9 + 16 * 32
                       + 2 * (16 * 3 + 32 * 3) + 32 * 10 + 10)
    }

    func testSurgeryOnAGraphModelKeepsItsFunctionAndRoundTripsThroughACheckpoint() throws {
        let model = try Model(spec: ModelSpec(contentsOfFile: examplePath), seed: 3)
        let input = Variable(randomTensor([2, 3, 32, 32], seed: 4))
        let before = try model.cost()
        let graph = try DependencyGraph(model: model)
        try ChannelSurgery.remove(["stem": [0, 3], "block1.conv1": [2], "block2.conv2": [1, 5]], graph: graph, from: model)
        let spec = try model.currentSpec()
        XCTAssertEqual(try spec.width(of: "stem"), 14)
        XCTAssertEqual(try spec.width(of: "block2.conv2"), 30)
        XCTAssertEqual(try spec.width(of: "block1.conv1"), 15)
        XCTAssertLessThan(try model.cost().flops, before.flops)
        let expected = try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }.value
        let loaded = try checkpointRoundTrip(model)
        XCTAssertEqual(loaded.spec, spec)
        let output = try GradientMode.withoutGradients { try loaded(input, ForwardContext(training: false)) }.value
        XCTAssertEqual(output, expected)
    }

    /// A stream whose producers carry different labels (the stem and block1.conv2 have no `group`): a removal's
    /// projected spec narrows every one of them, equal to what surgery gives (it once narrowed the first only,
    /// and the projected graph's add read operands of different widths).
    func testRemovalCostNarrowsEveryLabelOfAStream() throws {
        let model = try Model(spec: ModelSpec(contentsOfFile: examplePath), seed: 3)
        let graph = try DependencyGraph(model: model)
        XCTAssertEqual(Set(try graph.group(named: "stem").widthEffects.keys), ["stem", "block1.conv2"])
        let removals = ["stem": [0, 3, 7], "block2.conv2": [1]]
        let projected = try RemovalCost(graph: graph).spec(after: removals)
        XCTAssertEqual(try projected.width(of: "stem"), 13)
        XCTAssertEqual(try projected.width(of: "block1.conv2"), 13)
        XCTAssertEqual(try projected.width(of: "block2.shortcut"), 31)
        try ChannelSurgery.remove(removals, graph: graph, from: model)
        XCTAssertEqual(projected, try model.currentSpec())
        XCTAssertEqual(try ModelCost(spec: projected).flops, try model.cost().flops)
    }
}
