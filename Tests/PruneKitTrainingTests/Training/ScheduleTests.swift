import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

final class ScheduleTests: XCTestCase {
    private func rate(_ schedule: LearningRateSchedule, epoch: Int, iteration: Int = 0, warmup: Int = 0) -> Float {
        schedule.rate(base: 0.1, epoch: epoch, iteration: iteration, iterationsPerEpoch: 10, totalEpochs: 10, warmupEpochs: warmup)
    }

    func testValues() throws {
        XCTAssertEqual(rate(.constant, epoch: 7), 0.1)
        let steps = LearningRateSchedule.multiStep(milestones: [3, 6], gamma: 0.1)
        for (epoch, expected) in zip([0, 2, 3, 5, 6, 9], [0.1, 0.1, 0.01, 0.01, 0.001, 0.001] as [Float]) {
            XCTAssertEqual(rate(steps, epoch: epoch), expected, accuracy: 1e-7, "PyTorch MultiStepLR drops at the milestone epoch")
        }
        XCTAssertEqual(rate(.cosine, epoch: 0), 0.1, accuracy: 1e-7)
        XCTAssertEqual(rate(.cosine, epoch: 5), 0.05, accuracy: 1e-6, "half-way through cosine is base/2")
        XCTAssertEqual(rate(.cosine, epoch: 9, iteration: 9), Float(0.05 * (1 + cos(Double.pi * 99 / 100))), accuracy: 1e-7)
        XCTAssertEqual(rate(.oneCycle, epoch: 0), 0.004, accuracy: 1e-6, "one-cycle starts at base/25")
        XCTAssertEqual(rate(.oneCycle, epoch: 3), 0.1, accuracy: 1e-6, "and peaks at 30%")
        XCTAssertEqual(rate(.constant, epoch: 0, iteration: 4, warmup: 1), 0.05, accuracy: 1e-7, "linear warm-up: (4+1)/10 of base")
        XCTAssertEqual(rate(.table([0: 0.01, 60: 0.001]), epoch: 59), 0.01)
    }

    func testParsing() throws {
        XCTAssertEqual(try LearningRateSchedule(parsing: "multi-step:100,150"), .multiStep(milestones: [100, 150], gamma: 0.1))
        XCTAssertEqual(try LearningRateSchedule(parsing: "multi-step:1,60:0.2"), .multiStep(milestones: [1, 60], gamma: 0.2))
        XCTAssertEqual(try LearningRateSchedule(parsing: "table:0=0.01,30=0.001"), .table([0: 0.01, 30: 0.001]))
        XCTAssertEqual(try LearningRateSchedule(parsing: "one-cycle"), .oneCycle)
        assertThrowsPruneKitError(["parameter 'schedule'", "cosine-ish"]) { _ = try LearningRateSchedule(parsing: "cosine-ish") }
        assertThrowsPruneKitError(["parameter 'schedule'", "multi-step:a,b"]) { _ = try LearningRateSchedule(parsing: "multi-step:a,b") }
    }
}
