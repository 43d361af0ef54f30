import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// baselines.md's faithfulness test for first-order Taylor pruning (Molchanov et al., ICLR 2017).
final class PruningTaylorFaithfulnessTests: XCTestCase {
    /// Layer-wise L2-normalised Taylor scores have unit norm; with two layers the globally smallest map goes.
    func testTaylorNormalisedGlobalPick() throws {
        let model = try Model(spec: .multilayerPerceptron(hiddenFeatures: [6, 5], inputShape: [1, 2, 2], classCount: 3), seed: 8)
        let data = TensorBatches((0..<2).map { (NetworkFixtures.images(for: model.spec, count: 8, seed: UInt64(20 + $0)),
                                                NetworkFixtures.labels(count: 8, classes: 3, seed: UInt64($0))) })
        let taylor = TaylorImportance()
        try taylor.prepare(model: model, data: data)
        let graph = try DependencyGraph(model: model)
        var normalised: [(Float, String, Int)] = []
        var scores: [String: [Float]] = [:]
        for group in graph.groups {
            scores[group.name] = try XCTUnwrap(taylor.scores(for: group, in: model))
            let values = ScoreNormalization.l2.normalize(scores[group.name]!)
            XCTAssertEqual(values.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
            normalised += values.enumerated().map { ($1, group.name, $0) }
        }
        let smallest = normalised.min { $0.0 < $1.0 }!
        var config = PruningConfig()
        config.scope = .global
        let pick = try UnitSelector(graph: graph, config: config, referenceCost: try model.cost())
            .selectLowest(count: 1, scores: scores, normalization: .l2)
        XCTAssertEqual(pick, [smallest.1: [smallest.2]])
    }
}
