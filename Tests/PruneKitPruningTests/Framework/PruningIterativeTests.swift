import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Iterative pruning: equal steps reach the one-shot target; Taylor's loop keeps (and slices) its optimizer.
final class PruningIterativeTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8)

    private func data() -> TensorBatches {
        TensorBatches((0..<4).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(40 + $0)),
                                     NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64($0))) })
    }

    func testStepsReachTheTargetOfOneShot() throws {
        for target in [PruningTarget.channelRatio(0.5), .flopsRatio(0.4)] {
            let model = try Model(spec: spec, seed: 1)
            var config = PruningConfig()
            (config.target, config.iterativeSteps) = (target, 3)
            let session = try PruningSession(model: model, config: config, data: PruningData())
            var widths: [[Int]] = []
            let pruner = CriterionPruner(importance: MagnitudeImportance(norm: 1))
            repeat {
                try pruner.apply(try pruner.plan(session), to: session)
                widths.append(try model.currentSpec().widths.map(\.width))
            } while !(try pruner.isComplete(session))
            XCTAssertEqual(session.step, 3)
            XCTAssertTrue(zip(widths, widths.dropFirst()).allSatisfy { $0 != $1 }, "every step prunes: \(widths)")
            XCTAssertTrue(try session.hasReached(target), "\(target)")
            if target == .channelRatio(0.5) {
                XCTAssertEqual(widths.last, spec.widths.map { $0.width / 2 }, "3 steps of 1/6 end at half of every group")
            }
        }
    }

    func testTaylorKeepsItsOptimizerAcrossSteps() throws {
        let model = try Model(spec: spec, seed: 2)
        var config = PruningConfig()
        config.target = .flopsRatio(0.6)
        (config.taylor.fractionPerStep, config.taylor.updatesPerStep) = (0.1, 2)
        let session = try PruningSession(model: model, config: config, data: PruningData(training: data()))
        try PruningPipeline.prune(session, with: TaylorPruner())
        XCTAssertGreaterThan(session.step, 1, "several removal steps")
        XCTAssertTrue(try session.hasReached(.flopsRatio(0.6)))
        let optimizer = try XCTUnwrap(session.optimizer as? SGD)
        for parameter in model.parameters {
            XCTAssertEqual(optimizer.velocities[parameter.name]?.shape, parameter.shape, "\(parameter.name): momentum sliced, not dropped")
        }
        XCTAssertFalse(try session.hasReached(.flopsRatio(0.1)))
    }
}
