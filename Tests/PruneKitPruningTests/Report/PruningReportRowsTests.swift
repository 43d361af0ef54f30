import XCTest
import PruneKitNetworks
@testable import PruneKitPruning

/// The per-layer rows of a pruning report when a convolution became a factorised one (EigenDamage): the row keeps the
/// original name and sums the three parts, so the rows still add up to the totals.
final class PruningReportRowsTests: XCTestCase {
    func testFactorisedConvolutionKeepsItsRowWithThePartsSummed() throws {
        let spec = try ModelZoo.spec(named: "resnet20")
        let graph = try spec.networkGraph().replacingConvolution(named: "layer2.1.conv1", inputRank: 5, outputRank: 7)
        let before = try ModelCost(spec: spec), after = try ModelCost(spec: ModelSpec(name: "factorised", graph: graph))
        let rows = PruningReport.rows(before: before, after: after, nonzeroBefore: [:], nonzeroAfter: [:])
        XCTAssertEqual(rows.map(\.name), before.layers.map(\.name))
        let row = try XCTUnwrap(rows.first { $0.name == "layer2.1.conv1" })
        // 32 -> 5 (1x1), 5 -> 7 (3x3), 7 -> 32 (1x1) on 16 x 16 outputs.
        let parameters = 32 * 5 + 5 * 7 * 9 + 7 * 32
        XCTAssertEqual(row.parametersBefore, 32 * 32 * 9)
        XCTAssertEqual(row.parametersAfter, parameters)
        XCTAssertEqual(row.flopsAfter, 2 * parameters * 16 * 16)
        XCTAssertEqual(row.nonzeroAfter, parameters)
        XCTAssertEqual([row.inputWidthAfter, row.widthAfter], [32, 32])
        XCTAssertEqual(rows.reduce(0) { $0 + $1.parametersAfter }, after.parameterCount)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.flopsAfter }, after.flops)
    }
}
