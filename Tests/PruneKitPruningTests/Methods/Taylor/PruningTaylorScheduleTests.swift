import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Taylor's two schedules: the paper's one map per step, and the default 1%-of-the-remaining speed-up (issue 21).
final class PruningTaylorScheduleTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8)

    private func data() -> TensorBatches {
        TensorBatches((0..<4).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(40 + $0)),
                                     NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64($0))) })
    }

    /// Steps and units removed to reach 85% of ResNet-8's FLOPs with `unitsPerStep` (or 5% of the remaining units).
    private func prune(unitsPerStep: Int?) throws -> (steps: Int, removed: Int) {
        var config = PruningConfig()
        config.target = .flopsRatio(0.85)
        (config.taylor.updatesPerStep, config.taylor.unitsPerStep, config.taylor.fractionPerStep) = (1, unitsPerStep, 0.05)
        let session = try PruningSession(model: try Model(spec: spec, seed: 2), config: config, data: PruningData(training: data()))
        try PruningPipeline.prune(session, with: TaylorPruner())
        XCTAssertTrue(try session.hasReached(config.target))
        let removed = session.initialUnits.values.reduce(0, +) - session.graph.groups.reduce(0) { $0 + $1.unitCount }
        return (session.step, removed)
    }

    func testPaperScheduleRemovesOneMapPerStep() throws {
        XCTAssertNil(TaylorPruner.Settings().unitsPerStep, "the 1% speed-up is the default")
        let paper = try prune(unitsPerStep: 1)
        XCTAssertGreaterThan(paper.removed, 10)
        XCTAssertEqual(paper.steps, paper.removed, "one unit per step")
        let fraction = try prune(unitsPerStep: nil)
        XCTAssertLessThan(2 * fraction.steps, paper.steps, "5% of the remaining units per step")
        var config = PruningConfig()
        for option in MethodOption.all where option.name == "taylor-schedule" { try option.apply(&config, "paper") }
        XCTAssertEqual(config.taylor.unitsPerStep, 1)
        XCTAssertTrue(try XCTUnwrap(MethodNotes.text["taylor"]).contains("--taylor-schedule paper"))
    }
}
