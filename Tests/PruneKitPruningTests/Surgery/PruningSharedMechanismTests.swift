import XCTest
import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// The shared mechanisms by hand: UnitSlices' element order, MaskPattern's channel/column/block masks,
/// RemovalCountRule's roundings, and typed results that encode to the old flat keys.
final class PruningSharedMechanismTests: XCTestCase {
    /// A [2, 3, 2] tensor 0...11 viewed on axis 1: unit 0 owns channel 2 -> (o, c, i) order 4, 5, 10, 11.
    func testUnitSlicesOrderAndReductions() throws {
        let variable = Variable(parameter: try Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init)), name: "w")
        let member = UnitSlices.Member(variable: variable, layout: .init(axis: 1, of: [2, 3, 2]), channels: [[2], [0, 1]])
        XCTAssertEqual(member.indices(of: 0), [4, 5, 10, 11])
        XCTAssertEqual(member.indices(of: 1), [0, 1, 2, 3, 6, 7, 8, 9])
        let slices = UnitSlices(members: [member], unitCount: 2)
        XCTAssertEqual(slices.runningTotals { $0 }, [30, 36])
        XCTAssertEqual(slices.memberTotals { $0 }, [[30, 36]])
        XCTAssertEqual(slices.means { $0 }, [7.5, 4.5])
        slices.zero(units: [0])
        XCTAssertTrue(slices.isZero(unit: 0))
        XCTAssertFalse(slices.isZero(unit: 1))
        variable.gradient = Tensor(zeros: [2, 3, 2])
        slices.addPenaltyGradient([0, 2])
        XCTAssertEqual(variable.gradient!.scalars, [0, 2, 4, 6, 0, 0, 12, 14, 16, 18, 0, 0])
    }

    /// Columns of a [2, 2, 1, 2] weight (4 columns); blocks of 3 over rows of 4 (the last block is short).
    func testMaskPatterns() throws {
        let columns = try MaskPattern.slices(.columns(of: [2, 2, 1, 2]), zeroed: [1, 3]).tensor(shape: [2, 2, 1, 2])
        XCTAssertEqual(columns.scalars, [1, 0, 1, 0, 1, 0, 1, 0])
        let blocks = try MaskPattern.blocks(size: 3, zeroed: [[1], [0]]).tensor(shape: [2, 4])
        XCTAssertEqual(blocks.scalars, [1, 1, 1, 0, 0, 0, 0, 1])
        let channels = try MaskPattern.slices(.init(axis: 0, of: [3, 2]), zeroed: [1]).tensor(shape: [3, 2])
        XCTAssertEqual(channels.scalars, [1, 1, 0, 0, 1, 1])
        assertThrowsPruneKitError(["mask pattern"]) { _ = try MaskPattern.blocks(size: 3, zeroed: [[2]]).tensor(shape: [1, 4]) }
        let masks = WeightMasks(), weight = Variable(parameter: Tensor(repeating: 2, shape: [2, 4]), name: "fc.weight")
        try masks.set(.blocks(size: 3, zeroed: [[1], [0]]), for: weight)
        masks.apply(to: [weight])
        XCTAssertEqual(weight.value.scalars, [2, 2, 2, 0, 0, 0, 0, 2])
    }

    /// 16 units at r = 0.3: keep int(11.2) -> remove 5; floor(4.8) = 4; min(ceil(4.8), 15) = 5; 10 x 0.35 -> ceil 4.
    func testRemovalCountRules() {
        XCTAssertEqual(RemovalCountRule.keepTruncated.removalCount(units: 16, ratio: 0.3), 5)
        XCTAssertEqual(RemovalCountRule.removeFloor.removalCount(units: 16, ratio: 0.3), 4)
        XCTAssertEqual(RemovalCountRule.removeCeilingKeepingOne.removalCount(units: 16, ratio: 0.3), 5)
        XCTAssertEqual(RemovalCountRule.removeCeilingKeepingOne.removalCount(units: 2, ratio: 0.99), 1)
        XCTAssertEqual(RemovalCountRule.removeCeiling.removalCount(units: 10, ratio: 0.35), 4)
    }

    /// Typed in, the old flat keys in JSON, typed out; partial records merge; other methods' types read nil.
    func testTypedResultsKeepFlatKeys() throws {
        var results = PruningResults()
        results.record(DeepCompressionResult(denseBytes: 4096, compressedBytes: 400, compressionRatio: 10.24))
        results.record(DirectionalPruningResult(groupsRemovedByDualAveraging: 3))
        results.record(DirectionalPruningResult(groupsRemovedByTopUp: 0))
        XCTAssertEqual(results.values, ["dense_bytes": 4096, "compressed_bytes": 400, "compression_ratio": 10.24,
                                        "sdprun_groups_removed_by_grda": 3, "sdprun_groups_removed_by_top_up": 0])
        XCTAssertEqual(results[DeepCompressionResult.self], DeepCompressionResult(denseBytes: 4096, compressedBytes: 400, compressionRatio: 10.24))
        XCTAssertEqual(results[DirectionalPruningResult.self], DirectionalPruningResult(groupsRemovedByDualAveraging: 3, groupsRemovedByTopUp: 0))
        XCTAssertNil(results[SoftFilterResult.self])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(results), as: UTF8.self)
        XCTAssertEqual(json, String(decoding: try encoder.encode(results.values), as: UTF8.self))
        XCTAssertEqual(try JSONDecoder().decode(PruningResults.self, from: Data(json.utf8)), results)
    }
}
