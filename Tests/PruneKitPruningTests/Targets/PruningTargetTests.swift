import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// UnitSelector: ratios (uniform, global with a cap), overrides, ignored groups, rounding, FLOPs and parameter
/// targets.
final class PruningTargetTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8, shortcut: .projection)

    private func selector(_ configure: (inout PruningConfig) -> Void) throws -> (UnitSelector, [String: [Float]], Model) {
        let model = try Model(spec: spec, seed: 2)
        var config = PruningConfig()
        configure(&config)
        let graph = try DependencyGraph(model: model)
        let scores = try Dictionary(uniqueKeysWithValues: graph.groups.map { ($0.name, try MagnitudeImportance().scores(for: $0, in: model)!) })
        return (UnitSelector(graph: graph, config: config, referenceCost: try model.cost()), scores, model)
    }

    func testUniformRatioKeepsIntOfNTimesOneMinusR() throws {
        let (selector, scores, _) = try selector { $0.target = .channelRatio(0.1) }
        let removals = try selector.select(scores: scores, normalization: .none)
        XCTAssertEqual(removals["layer1.0.conv1"]?.count, 2, "N = 16, r = 0.1: keep int(14.4) = 14")
        XCTAssertEqual(removals["layer2.0.conv1"]?.count, 4, "32 -> int(28.8) = 28")
        XCTAssertEqual(removals["layer3"]?.count, 7, "64 -> int(57.6) = 57")
        let lowest = scores["layer1.0.conv1"]!.indices.sorted { scores["layer1.0.conv1"]![$0] < scores["layer1.0.conv1"]![$1] }
        XCTAssertEqual(removals["layer1.0.conv1"], Array(lowest.prefix(2)).sorted(), "the lowest-scored units go")
    }

    func testGlobalRatioWithCapOverridesAndIgnored() throws {
        let (selector, scores, _) = try selector {
            ($0.target, $0.scope, $0.maximumGroupRatio) = (.channelRatio(0.5), .global, 0.25)
            $0.groupRatios = ["layer1.0.conv1": 0.75]
            $0.ignored = ["layer3*", "conv1"]  // a prefix, and the stem's name ignores stream layer1
        }
        var skewed = scores
        skewed["layer2.0.conv1"] = (0..<32).map { Float($0) * 1e-6 }  // lowest everywhere: the cap must stop it
        let removals = try selector.select(scores: skewed, normalization: .none)
        XCTAssertEqual(removals["layer1.0.conv1"]?.count, 12, "override: 16 -> int(4) kept")
        XCTAssertNil(removals["layer3"]); XCTAssertNil(removals["layer3.0.conv1"]); XCTAssertNil(removals["layer1"])
        XCTAssertEqual(removals["layer2.0.conv1"]?.count, 8, "cap 25% of 32")
        XCTAssertEqual(removals["layer2.0.conv1"], Array(0..<8))
        // The free groups, layer2.0.conv1 and stream layer2 (32 units each), would lose 32 for 50%, but the cap
        // stops both at 8.
        XCTAssertEqual(removals["layer2"]?.count, 8)
        XCTAssertEqual(removals.count, 3)
    }

    func testRoundToMultiples() throws {
        let (selector, scores, _) = try selector { ($0.target, $0.roundTo) = (.channelRatio(0.3), 8) }
        let removals = try selector.select(scores: scores, normalization: .none)
        for group in selector.graph.groups {
            let kept = group.unitCount - (removals[group.name]?.count ?? 0)
            XCTAssertEqual(kept % 8, 0, "\(group.name) keeps \(kept)")
        }
        XCTAssertEqual(removals["layer3"]?.count, 16, "64 * 0.7 = 44.8 -> 44 -> rounded up to 48")
        // With a FLOPs target the rounded cost moves in big steps; steps are given back while the budget holds.
        for scope in [PruningConfig.Scope.uniform, .global] {
            let (flopsSelector, flopsScores, _) = try self.selector { ($0.target, $0.roundTo, $0.scope) = (.flopsRatio(0.5), 8, scope) }
            let flopsRemovals = try flopsSelector.select(scores: flopsScores, normalization: .mean)
            let fraction = Double(try RemovalCost(graph: flopsSelector.graph).cost(of: flopsRemovals).flops) / Double(flopsSelector.referenceCost.flops)
            XCTAssertLessThanOrEqual(fraction, 0.5, "\(scope)")
            XCTAssertGreaterThan(fraction, 0.4, "\(scope): no big overshoot")
            for group in flopsSelector.graph.groups {
                XCTAssertEqual((group.unitCount - (flopsRemovals[group.name]?.count ?? 0)) % 8, 0, "\(scope) \(group.name)")
            }
        }
    }

    func testFlopsAndParameterTargetsAreMetMinimally() throws {
        for scope in [PruningConfig.Scope.uniform, .global] {
            for target in [PruningTarget.flopsRatio(0.5), .parameterRatio(0.4)] {
                let (selector, scores, model) = try selector { ($0.target, $0.scope) = (target, scope) }
                let removals = try selector.select(scores: scores, normalization: .mean)
                let graph = try DependencyGraph(model: model)
                try ChannelSurgery.remove(removals, graph: graph, from: model)
                let (dense, pruned) = (selector.referenceCost, try model.cost())
                let (before, after, fraction): (Int, Int, Double) = {
                    switch target {
                    case let .flopsRatio(f): return (dense.flops, pruned.flops, f)
                    case let .parameterRatio(f): return (dense.parameterCount, pruned.parameterCount, f)
                    default: return (0, 0, 0)
                    }
                }()
                XCTAssertLessThanOrEqual(Double(after), fraction * Double(before), "\(scope) \(target)")
                guard scope == .global else { continue }
                let count = removals.values.reduce(0) { $0 + $1.count }
                let fewer = try selector.selectLowest(count: count - 1, scores: scores, normalization: .mean)
                let costFewer = try RemovalCost(graph: graph).cost(of: fewer)
                let metric = target == .flopsRatio(0.5) ? costFewer.flops : costFewer.parameterCount
                XCTAssertGreaterThan(Double(metric), fraction * Double(before), "one unit fewer misses the target: minimal")
            }
        }
    }

    func testUnreachableTargetNamesTheFlag() throws {
        let (selector, scores, _) = try selector { ($0.target, $0.ignored) = (.flopsRatio(0.05), ["layer1", "layer2", "layer3"]) }
        assertThrowsPruneKitError(["parameter 'flopsRatio'", "a reachable target"]) { _ = try selector.select(scores: scores, normalization: .none) }
        assertThrowsPruneKitError(["parameter 'channelRatio'", "[0, 1)"]) { try PruningTarget.channelRatio(1).validate() }
        XCTAssertEqual(try PruningTarget(parsing: "flops=0.5"), .flopsRatio(0.5))
    }
}
