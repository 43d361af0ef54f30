import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Graph-group invariants: every channel of every prunable axis belongs to exactly one group, members agree on
/// the unit count, and the classifier's outputs and the image channels belong to none.
final class PruningDependencyGraphTests: XCTestCase {
    func testEveryAxisIsPartitionedByGroups() throws {
        for spec in ModelZoo.entries.map(\.spec) + NetworkFixtures.smallSpecs {
            let graph = try DependencyGraph(spec: spec)
            let layers = try ModelCost(spec: spec).layers
            var covered: [String: [Int]] = [:]
            for group in graph.groups {
                for member in group.members {
                    XCTAssertEqual(member.channels.count, group.unitCount, "\(spec.name) \(group.name) \(member.layerName)")
                    covered[member.layerName + "/" + member.role.rawValue, default: []] += member.channels.flatMap { $0 }
                }
                XCTAssertGreaterThanOrEqual(group.unitCount, group.minimumUnits)
            }
            for layer in layers {
                let outputRole = layer.kind == .batchNorm ? "batchNorm" : "output"
                let expectedOutputs = layer.widthName == nil && layer.kind != .batchNorm ? [] : Array(0..<layer.outputWidth)
                XCTAssertEqual(covered[layer.name + "/" + outputRole, default: []].sorted(), expectedOutputs, "\(spec.name) \(layer.name) outputs")
                guard layer.kind != .batchNorm else { continue }
                let isFirst = layer.name == layers.first!.name
                XCTAssertEqual(covered[layer.name + "/input", default: []].sorted(), isFirst ? [] : Array(0..<layer.inputWidth),
                               "\(spec.name) \(layer.name) inputs")
            }
        }
    }

    func testNamesAndKindsPerFamily() throws {
        let resNet = try DependencyGraph(spec: .resNet(depth: 8, shortcut: .projection))
        XCTAssertEqual(resNet.groupNames, ["layer1.0.conv1", "layer2.0.conv1", "layer3.0.conv1", "layer1", "layer2", "layer3"])
        let layer2 = try resNet.group(named: "layer2")
        XCTAssertEqual(layer2.kind, .residualStream)
        XCTAssertEqual(layer2.producers.map(\.layerName), ["layer2.0.conv2", "layer2.0.downsample.0", "layer2.0.bn2", "layer2.0.downsample.1"])
        XCTAssertEqual(layer2.members.filter { $0.role == .input }.map(\.layerName), ["layer3.0.conv1", "layer3.0.downsample.0"])
        let wide = try DependencyGraph(spec: .wideResNet(depth: 10, widthFactor: 2))
        XCTAssertEqual(wide.groupNames, ["blocks.0.conv1", "blocks.1.conv1", "blocks.2.conv1", "conv1", "group1", "group2", "group3"])
        XCTAssertEqual(try wide.group(named: "group3").members.filter { $0.role == .batchNorm }.map(\.layerName), ["bn"])
        let leNet = try DependencyGraph(spec: .leNet5())
        let conv2 = try leNet.group(named: "conv2")
        XCTAssertEqual(conv2.members.last!.layerName, "fc1")
        XCTAssertEqual(conv2.members.last!.channels[1], Array(16..<32), "channel 1 owns 4x4 = 16 columns after the flatten")
        assertThrowsPruneKitError(["no channel group 'fc'", "conv1"]) { _ = try leNet.group(named: "fc") }
    }

    func testSurgeryRefusesToEmptyAGroup() throws {
        let model = try Model(spec: .resNet(depth: 8), seed: 1)
        let graph = try DependencyGraph(model: model)
        assertThrowsPruneKitError(["layer1.0.conv1", "leaves fewer than 1"]) {
            try ChannelSurgery.remove(["layer1.0.conv1": Array(0..<16)], graph: graph, from: model)
        }
        assertThrowsPruneKitError(["distinct", "0..<16"]) { try ChannelSurgery.remove(["layer1.0.conv1": [3, 3]], graph: graph, from: model) }
        XCTAssertEqual(try model.currentSpec(), model.spec, "a refused surgery changes nothing")
        try ChannelSurgery.remove(["layer2": Array(0..<8)], graph: graph, from: model)
        XCTAssertEqual(try model.currentSpec().width(of: "layer2"), 16, "all padding pairs may go: layer2 keeps its carried channels")
    }
}
