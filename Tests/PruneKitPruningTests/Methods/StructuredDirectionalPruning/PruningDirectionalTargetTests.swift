import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// sDprun without a target (the paper's form) and with one that forces an L2 top-up: the report separates the
/// groups gRDA removed from those the top-up removed (issue 21).
final class PruningDirectionalTargetTests: XCTestCase {
    private let spec = ModelSpec.multilayerPerceptron(hiddenFeatures: [12, 8], inputShape: [1, 6, 6], classCount: 4)

    private func data() -> TensorBatches {
        TensorBatches((0..<5).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(60 + $0)),
                                     NetworkFixtures.labels(count: 8, classes: 4, seed: UInt64($0))) })
    }

    /// gRDA with c = `scale` for 3 epochs from seed-6 weights, then `target`.
    private func run(_ target: PruningTarget, scale: Double = 3) throws -> PruningReport {
        var config = PruningConfig()
        config.target = target
        config.directionalPruning.scale = scale
        config.directionalPruning.fromScratch = false
        config.directionalPruning.training.epochs = 3
        return try PruningPipeline.run(model: try Model(spec: spec, seed: 6), method: "sdprun", config: config,
                                       data: PruningData(training: data()))
    }

    /// Hidden units removed, read from the report's width table.
    private func removedHiddenUnits(_ report: PruningReport) -> Int {
        report.layers.filter { ["layers.0", "layers.1"].contains($0.name) }.reduce(0) { $0 + $1.widthBefore - $1.widthAfter }
    }

    func testWithoutTargetOnlyTheZeroGroupsGo() throws {
        let report = try run(.unconstrained)
        let result = try XCTUnwrap(report.results[DirectionalPruningResult.self])
        let byDualAveraging = try XCTUnwrap(result.groupsRemovedByDualAveraging)
        XCTAssertGreaterThan(byDualAveraging, 0, "c = 3 zeroes some groups")
        XCTAssertEqual(result.groupsRemovedByTopUp, 0, "no target, no top-up")
        XCTAssertEqual(removedHiddenUnits(report), byDualAveraging)
        XCTAssertEqual(try XCTUnwrap(result.flopsRatioAfterDualAveraging), report.flopsRatio, accuracy: 1e-12, "what gRDA reached is the result")
        XCTAssertTrue(report.description.contains("target none"), report.description)
        XCTAssertTrue(report.description.contains("sdprun_groups_removed_by_grda: \(Double(byDualAveraging))"), report.description)
    }

    func testTopUpIsCountedApartFromDualAveraging() throws {
        // c = 1.5 zeroes 7 of the 20 hidden groups (FLOPs 56.8%), so 80% of that needs a top-up that can still reach it.
        let reached = try XCTUnwrap(try run(.unconstrained, scale: 1.5).results[DirectionalPruningResult.self]?.flopsRatioAfterDualAveraging)
        let report = try run(.flopsRatio(0.8 * reached), scale: 1.5)
        let result = try XCTUnwrap(report.results[DirectionalPruningResult.self])
        let (byDualAveraging, byTopUp) = (try XCTUnwrap(result.groupsRemovedByDualAveraging), try XCTUnwrap(result.groupsRemovedByTopUp))
        XCTAssertGreaterThan(byDualAveraging, 0)
        XCTAssertGreaterThan(byTopUp, 0, "the target is below what gRDA reached")
        XCTAssertEqual(byDualAveraging + byTopUp, removedHiddenUnits(report))
        XCTAssertLessThanOrEqual(report.flopsRatio, 0.8 * reached + 1e-12)
        let json = try report.jsonString()
        XCTAssertTrue(json.contains("\"sdprun_groups_removed_by_top_up\" : \(byTopUp)"), json)
    }

    func testTargetlessRunIsRejectedByMethodsThatNeedATarget() throws {
        var config = PruningConfig()
        config.target = .unconstrained
        assertThrowsPruneKitError(["target", "none"]) {
            _ = try PruningPipeline.run(model: try Model(spec: self.spec, seed: 6), method: "l1", config: config, data: PruningData())
        }
        XCTAssertEqual(try PruningTarget(parsing: "none"), .unconstrained)
        XCTAssertEqual(PruningTarget.unconstrained.scaled(by: 0.5), .unconstrained)
    }
}
