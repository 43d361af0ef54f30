import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// `prune-cli bench train|infer`: the step count behind the median and the derived figures (no timing asserted).
final class ModelBenchmarkTests: XCTestCase {
    private func tinyModel() throws -> Model {
        try Model(spec: ModelZoo.spec(named: "mlp").scalingWidths(by: 0.05), seed: 1)
    }

    func testTimesExactlyTheRequestedStepsWithoutAMinimumTime() throws {
        let result = try ModelBenchmark.run(tinyModel(), training: true, batchSize: 4, steps: 3, warmup: 1)
        XCTAssertEqual(result.timedSteps, 3)
        XCTAssertEqual(result.mode, "train")
        XCTAssertEqual(result.imagesPerSecond, 4 * 1000 / result.millisecondsPerStep, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(result.bestMillisecondsPerStep, result.millisecondsPerStep)
        // Training counts forward + backward as 3x the forward FLOPs of the batch.
        XCTAssertEqual(result.gflops, result.forwardFlopsPerImage * 4 * 3 / result.millisecondsPerStep / 1e6, accuracy: 1e-9)
    }

    func testKeepsTimingUntilTheMinimumTimeHasPassed() throws {
        let start = Date()
        let result = try ModelBenchmark.run(tinyModel(), training: false, batchSize: 2, steps: 2, warmup: 1, minimumSeconds: 0.2)
        XCTAssertGreaterThan(result.timedSteps, 2, "a tiny step repeated for 0.2 s")
        XCTAssertLessThanOrEqual(result.timedSteps, 2000)
        // It stops at 0.2 s or at the 2000-step cap, whichever comes first.
        XCTAssertTrue(result.timedSteps == 2000 || Date().timeIntervalSince(start) >= 0.2, "\(result.timedSteps) steps")
    }
}
