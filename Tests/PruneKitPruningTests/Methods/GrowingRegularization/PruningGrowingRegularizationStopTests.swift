import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// GReg-2's per-layer stop, as the reference `_ada_reg`: a layer stops once it has picked and its own h >= the
/// limit or its max lambda > tau; h accumulates while picking. GReg-1 keeps `_inc_reg`'s global h rule (issue 21).
final class PruningGrowingRegularizationStopTests: XCTestCase {
    /// Binary-exact steps: pick at update 4 (4 x 0.25 = tau_pick 1); then lambda = 1 + 0.5 k > tau 3 at k = 5.
    private var settings: GrowingRegularizationPruner.Settings {
        var settings = GrowingRegularizationPruner.Settings()
        (settings.pickIncrement, settings.pickCeiling, settings.increment, settings.ceiling) = (0.25, 1, 0.5, 3)
        settings.magnitudeRatioLimit = 1000
        return settings
    }

    func testMagnitudeRatioAccumulatesWhilePicking() {
        var schedule = GrowingPenaltySchedule(removalCount: 1, scores: [1, 2, 4, 8], settings: settings, picksLater: true)
        schedule.update(scores: [1, 2, 4, 8])      // candidate {0}: 14/3 / 1
        schedule.update(scores: [3, 1, 4, 8])      // candidate {1}: 15/3 / 1 = 5
        XCTAssertEqual(schedule.stage, .picking)
        XCTAssertEqual(try XCTUnwrap(schedule.magnitudeRatio), 0.9 * 14 / 3 + 0.1 * 5, accuracy: 1e-12)
    }

    /// MLP 2 -> 4 -> 4: layers.0 has one filter 1e6 times smaller than the rest (h = 1e6), layers.1 one half as
    /// large (h = 2). GReg-2: layers.0 stops at its pick (update 4), layers.1 at lambda > tau (update 9).
    func testEachGReg2LayerStopsOnItsOwn() throws {
        let model = try Model(spec: .multilayerPerceptron(hiddenFeatures: [4, 4], inputShape: [1, 1, 2], classCount: 2), seed: 1)
        (model.namedLayers["layers.0"] as! Linear).weight.value = try Tensor(shape: [4, 2], scalars: [1e-6, 1e-6, 1, 1, 1, 1, 1, 1])
        (model.namedLayers["layers.1"] as! Linear).weight.value = try Tensor(shape: [4, 4], scalars: [0.5, 0.5, 0.5, 0.5] + [Float](repeating: 1, count: 12))
        let graph = try DependencyGraph(model: model), counts = ["layers.0": 1, "layers.1": 1]
        let stages = { (picksLater: Bool) throws -> [[GrowingPenaltySchedule.Stage]] in
            let hook = try GrowingRegularizationHook(model: model, groups: graph.groups, counts: counts, settings: self.settings, picksLater: picksLater)
            return (1...10).map { _ in hook.updateSchedules(); return ["layers.0", "layers.1"].map { hook.schedules[$0]!.stage } }
        }
        let greg2 = try stages(true)
        XCTAssertEqual(greg2[2], [.picking, .picking])
        XCTAssertEqual(greg2[3], [.finished, .growing], "layers.0 picked with h = 1e6 >= 1000: done on its own")
        XCTAssertEqual(greg2[7], [.finished, .growing], "lambda 1 + 0.5 * 4 = 3, not > 3")
        XCTAssertEqual(greg2[8], [.finished, .finished], "lambda 3.5 > tau")
        let greg1 = try stages(false)
        XCTAssertEqual(greg1[3], [.growing, .growing], "GReg-1: no per-layer h stop (lambda 2)")
        XCTAssertEqual(greg1[5], [.growing, .growing], "lambda 3 at update 6, not > 3")
        XCTAssertEqual(greg1[6], [.finished, .finished], "lambda 3.5 > tau at update 7 in both layers")
    }
}
