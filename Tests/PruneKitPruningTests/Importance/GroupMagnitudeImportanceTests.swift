import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// The group criterion (Torch-Pruning's GroupMagnitudeImportance) against a hand computation, and against Li et
/// al.'s per-filter rule on LeNet-5 (issue 21).
final class GroupMagnitudeImportanceTests: XCTestCase {
    /// sum |w|^p of `weight` [O, I, ...] over output row `o` (`rows`) or input column `o`.
    private func total(_ weight: Tensor, _ index: Int, rows: Bool, power: Float = 1) -> Float {
        let (outputs, inputs) = (weight.shape[0], weight.shape[1]), inner = weight.count / (outputs * inputs)
        var sum: Float = 0
        for o in 0..<outputs { for i in 0..<inputs where (rows ? o : i) == index {
            for k in 0..<inner { sum += pow(abs(weight.scalars[(o * inputs + i) * inner + k]), power) }
        } }
        return sum
    }

    /// LeNet-5's conv1 group: conv1's filters and conv2's input channels (no BatchNorm).
    func testLeNet5SumAndMeanOverFilterAndReaders() throws {
        let model = try Model(spec: .leNet5(), seed: 3)
        let group = try DependencyGraph(model: model).group(named: "conv1")
        let (conv1, conv2) = ((model.namedLayers["conv1"] as! Conv2d).weight.value, (model.namedLayers["conv2"] as! Conv2d).weight.value)
        let expected = (0..<20).map { total(conv1, $0, rows: true) + total(conv2, $0, rows: false) }
        let sum = try XCTUnwrap(GroupMagnitudeImportance(norm: 1, reduction: .sum).scores(for: group, in: model))
        let mean = try XCTUnwrap(GroupMagnitudeImportance(norm: 1, reduction: .mean).scores(for: group, in: model))
        for u in 0..<20 {
            XCTAssertEqual(sum[u], expected[u], accuracy: 1e-4 * expected[u])
            XCTAssertEqual(mean[u], expected[u] / 2, accuracy: 1e-4 * expected[u], "mean = sum over 2 members / 2")
        }
        let squares = try XCTUnwrap(GroupMagnitudeImportance(norm: 2, reduction: .sum).scores(for: group, in: model))
        XCTAssertEqual(squares[7], total(conv1, 7, rows: true, power: 2) + total(conv2, 7, rows: false, power: 2), accuracy: 1e-5,
                       "p = 2: squares, no root (Torch-Pruning)")
    }

    /// With BatchNorm, |gamma| is one more member: ResNet-8's layer1.0.conv1 group.
    func testBatchNormScaleIsAMember() throws {
        let model = try Model(spec: .resNet(depth: 8), seed: 5)
        NetworkFixtures.randomizeBatchNorms(model, seed: 2)
        let group = try DependencyGraph(model: model).group(named: "layer1.0.conv1")
        let conv1 = (model.namedLayers["layer1.0.conv1"] as! Conv2d).weight.value, conv2 = (model.namedLayers["layer1.0.conv2"] as! Conv2d).weight.value
        let gamma = (model.namedLayers["layer1.0.bn1"] as! BatchNorm).scale.value.scalars
        let sum = try XCTUnwrap(GroupMagnitudeImportance(norm: 1, reduction: .sum).scores(for: group, in: model))
        for u in [0, 9] {
            let expected = total(conv1, u, rows: true) + abs(gamma[u]) + total(conv2, u, rows: false)
            XCTAssertEqual(sum[u], expected, accuracy: 1e-4 * expected)
        }
    }

    /// At ratio 0.5, uniform, the group criterion keeps other LeNet-5 channels than per-filter L1 (the default).
    func testGroupRanksDifferentlyFromPerFilterL1() throws {
        var config = PruningConfig()
        config.target = .channelRatio(0.5)
        let plan = { (config: PruningConfig) throws -> [String: [Int]] in
            let session = try PruningSession(model: try Model(spec: .leNet5(), seed: 3), config: config, data: PruningData())
            return try PrunerRegistry.makePruner(named: "l1", config: config).plan(session).removals.mapValues { $0.sorted() }
        }
        XCTAssertEqual(config.magnitudeCriterion.scope, .filter, "Li et al.'s rule is l1's default")
        let filter = try plan(config)
        config.magnitudeCriterion.scope = .group
        let group = try plan(config)
        XCTAssertEqual(filter.mapValues(\.count), group.mapValues(\.count), "same counts")
        XCTAssertNotEqual(filter, group, "different channels")
        XCTAssertTrue(PrunerRegistry.entries.first { $0.name == "l1" }!.criterion!(config) is GroupMagnitudeImportance)
        config.magnitudeCriterion.reduction = .sum
        XCTAssertEqual(try plan(config), group, "sum and mean rank a uniform group alike (same member count per unit)")
    }

    func testCriterionFlags() throws {
        var config = PruningConfig()
        let options = Dictionary(uniqueKeysWithValues: MethodOption.all.filter { $0.applies(to: "l2") }.map { ($0.name, $0) })
        try options["criterion"]!.apply(&config, "group")
        try options["criterion-reduction"]!.apply(&config, "sum")
        XCTAssertEqual(config.magnitudeCriterion.scope, .group)
        XCTAssertEqual(config.magnitudeCriterion.reduction, .sum)
        assertThrowsPruneKitError(["criterion-reduction", "sum or mean"]) { try options["criterion-reduction"]!.apply(&config, "max") }
        assertThrowsPruneKitError(["criterion", "filter or group"]) { try options["criterion"]!.apply(&config, "layer") }
    }
}
