import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Issue test "Equivalence": for every zoo model and random groups, zeroing the group's outgoing weights (its
/// readers' inputs) and removing the group physically give the same logits to 1e-5, in train and eval mode.
final class PruningEquivalenceTests: XCTestCase {
    func testEveryZooModelWithRandomGroups() throws {
        for entry in ModelZoo.entries {
            try checkRandomGroups(entry.spec, seed: UInt64(entry.name.count), groupCount: 3)
        }
    }

    /// Option A: every stream group, including the padding groups, alone and all together.
    func testOptionAStreamsAloneAndTogether() throws {
        let spec = ModelSpec.resNet(depth: 8)
        let graph = try DependencyGraph(spec: spec)
        XCTAssertEqual(graph.groups.filter { $0.kind != .layer }.map(\.name), ["layer1", "layer2", "layer3"])
        XCTAssertEqual(try graph.group(named: "layer1").unitCount, 16)
        XCTAssertEqual(try graph.group(named: "layer2").unitCount, 8, "8 padding pairs of 32 - 16")
        XCTAssertEqual(try graph.group(named: "layer2").members[0].channels[0], [0, 24])
        XCTAssertEqual(try graph.group(named: "layer3").unitCount, 16)
        try check(spec, removals: ["layer1": [3, 7]], seed: 1)
        try check(spec, removals: ["layer2": [0, 5]], seed: 2)
        try check(spec, removals: ["layer3": [1, 2, 15]], seed: 3)
        try check(spec, removals: ["layer1": [0, 15], "layer2": [1], "layer3": [4, 6]], seed: 4)
        // Odd padding (a hand-made spec): 31 - 16 = 15 padding channels in layer2, 7 below and 8 above.
        var odd = spec
        try odd.setWidth(of: "layer2", to: 31)
        let oddGraph = try DependencyGraph(spec: odd)
        XCTAssertEqual(try oddGraph.group(named: "layer2").unitCount, 8, "7 pairs and the single top channel")
        XCTAssertEqual(try oddGraph.group(named: "layer2").members[0].channels[7], [30])
        XCTAssertEqual(try oddGraph.group(named: "layer3").unitCount, 17, "64 - 31 = 33: 16 pairs and one more")
        try check(odd, removals: ["layer2": [7], "layer3": [0, 16]], seed: 6)
        try check(odd, removals: ["layer1": [4], "layer2": [0, 7]], seed: 7)
    }

    private func checkRandomGroups(_ spec: ModelSpec, seed: UInt64, groupCount: Int) throws {
        var generator = SplitMix64(seed: seed)
        let graph = try DependencyGraph(spec: spec)
        var removals: [String: [Int]] = [:]
        for _ in 0..<groupCount {
            let group = graph.groups[generator.nextInt(below: graph.groups.count)]
            guard group.removableUnits > 0 else { continue }
            let count = 1 + generator.nextInt(below: min(group.removableUnits, 4))
            removals[group.name] = Array((0..<group.unitCount).shuffled(using: &generator).prefix(count))
        }
        try check(spec, removals: removals, seed: seed)
    }

    private func check(_ spec: ModelSpec, removals: [String: [Int]], seed: UInt64) throws {
        let model = try Model(spec: spec, seed: seed)
        NetworkFixtures.randomizeBatchNorms(model, seed: seed + 1)
        let graph = try DependencyGraph(model: model)
        let masked = try model.copy(), pruned = try model.copy()
        for (name, units) in removals { try PruningFixtures.zeroReaderInputs(of: graph.group(named: name), units: units, in: masked) }
        try ChannelSurgery.remove(removals, graph: graph, from: pruned)
        // Train mode uses batch statistics: a larger batch keeps BN from amplifying summation-order rounding.
        for training in [false, true] {
            let images = NetworkFixtures.images(for: spec, count: training ? 8 : 2, seed: seed + 2)
            let expected = try NetworkFixtures.logits(masked, images, training: training)
            let actual = try NetworkFixtures.logits(pruned, images, training: training)
            XCTAssertEqual(actual.shape, expected.shape)
            XCTAssertLessThanOrEqual(NetworkFixtures.relativeDifference(actual, expected), 1e-5,
                                     "\(spec.name) \(removals.mapValues { $0.sorted() }) training \(training)")
        }
        let widthsChanged = try pruned.currentSpec().widths != spec.widths
        XCTAssertTrue(removals.values.allSatisfy(\.isEmpty) || widthsChanged, "\(spec.name): surgery changed the widths")
    }
}
