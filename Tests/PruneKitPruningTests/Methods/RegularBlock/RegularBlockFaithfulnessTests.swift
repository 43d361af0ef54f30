import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// darb.md "Tests that show the implementation is faithful", 1-6 (7 is in `RegularBlockPruningTests`): block-max
/// masking as `RegularBlockPruner` applies it (`SparsityRecord.blocks(...).mask`) and DARB's block-size rule.
final class RegularBlockFaithfulnessTests: XCTestCase {
    private func blockMaxMask(_ row: [Float], _ sizes: [Int], columns: Int) throws -> [Float] {
        SparsityRecord.blocks(rowBlockSizes: sizes).mask(for: try Tensor(shape: [sizes.count, columns], scalars: row), rows: sizes.count, columns: columns)
    }

    /// 1. [0.1, -0.9, 0.3, 0.2, 0.5, -0.4, 0.05, 0.6], b = 4: mask [0,1,0,0,0,0,0,1], values [-0.9, 0.6], offsets [1, 3] in 2 bits.
    func testSpecRowWithBlocksOfFour() throws {
        let row: [Float] = [0.1, -0.9, 0.3, 0.2, 0.5, -0.4, 0.05, 0.6]
        XCTAssertEqual(try blockMaxMask(row, [4], columns: 8), [0, 1, 0, 0, 0, 0, 0, 1])
        let matrix = try RegularBlockMatrix(encoding: row, rows: 1, columns: 8, blockSizes: [4])
        XCTAssertEqual(matrix.values, [-0.9, 0.6])
        XCTAssertEqual([0, 1].map { matrix.offset(row: 0, block: $0) }, [1, 3])
        XCTAssertEqual(RegularBlockMatrix.offsetBits(blockSize: 4), 2)
    }

    /// 2. On random matrices and many b, each block keeps exactly one entry, the (first) max-|w| one; a row keeps ceil(n / b).
    func testEachBlockKeepsExactlyItsMaximum() throws {
        var generator = SplitMix64(seed: 3)
        for size in [1, 2, 3, 4, 5, 8, 13, 16, 64] {
            let rows = 6, columns = 41
            let weight = (0..<(rows * columns)).map { _ in 2 * generator.nextUniform() - 1 }
            let mask = try blockMaxMask(weight, [Int](repeating: size, count: rows), columns: columns)
            for row in 0..<rows {
                XCTAssertEqual(Int(mask[row * columns..<(row + 1) * columns].reduce(0, +)), (columns + size - 1) / size, "b = \(size)")
                for start in stride(from: 0, to: columns, by: size) {
                    let block = (row * columns + start)..<(row * columns + min(start + size, columns))
                    let kept = block.filter { mask[$0] == 1 }
                    XCTAssertEqual(kept.count, 1)
                    XCTAssertEqual(abs(weight[kept[0]]), block.map { abs(weight[$0]) }.max()!)
                }
            }
        }
    }

    /// 3. n = 10, b = 4: blocks {0-3}, {4-7}, {8-9}, three kept entries (the short block keeps one).
    func testPartialLastBlock() throws {
        let mask = try blockMaxMask([1, 2, 3, 4, 5, 6, 7, 8, 10, 9], [4], columns: 10)
        XCTAssertEqual(mask, [0, 0, 0, 1, 0, 0, 0, 1, 1, 0])
    }

    /// 4. b = 1 leaves the row dense; b >= n keeps exactly the row maximum.
    func testBlockOfOneIsDenseAndBlockOfTheRowKeepsItsMaximum() throws {
        let row: [Float] = [0.3, -0.7, 0.1, 0.65, -0.2]
        XCTAssertEqual(try blockMaxMask(row, [1], columns: 5), [1, 1, 1, 1, 1])
        XCTAssertEqual(try blockMaxMask(row, [5], columns: 5), [0, 1, 0, 0, 0])
        XCTAssertEqual(try blockMaxMask(row, [64], columns: 5), [0, 1, 0, 0, 0])
    }

    /// 5. (values, offsets, b_r) decode to exactly the masked row.
    func testDecodeGivesTheMaskedRow() throws {
        var generator = SplitMix64(seed: 5)
        let rows = 4, columns = 30, sizes = [1, 4, 7, 32]
        let weight = (0..<(rows * columns)).map { _ in 2 * generator.nextUniform() - 1 }
        let mask = try blockMaxMask(weight, sizes, columns: columns)
        let matrix = try RegularBlockMatrix(encoding: weight, rows: rows, columns: columns, blockSizes: sizes)
        let parts = try RegularBlockMatrix(rows: rows, columns: columns, blockSizes: sizes, values: matrix.values,
                                           offsets: (0..<rows).flatMap { row in (0..<((columns + sizes[row] - 1) / sizes[row])).map { matrix.offset(row: row, block: $0) } })
        XCTAssertEqual(parts.decoded(), zip(weight, mask).map { $0 * $1 })
    }

    /// 6. Densities [0.5, 0.25, 0.0625, 0.125] give b = [2, 4, 16, 8]; after the fix-up the realised keep ratio is within
    /// one row-step of rho (here exactly: 8 + 4 + 1 + 2 = 15 = rho 64), and a tighter budget grows the sparse rows first.
    func testDensityToBlockSizeRuleAndBudgetFixUp() throws {
        XCTAssertEqual(DensityAdaptiveBlockSizes.roundedSizes(densities: [0.5, 0.25, 0.0625, 0.125]), [2, 4, 16, 8])
        XCTAssertEqual(DensityAdaptiveBlockSizes.roundedSizes(densities: [1, 0, 0.3, 0.7]), [1, 64, 4, 2])   // 1/0.7: log2 0.51 rounds to 1
        // A 4 x 16 weight whose largest 15 entries sit 8, 4, 1, 2 per row.
        var weight = [Float](repeating: 0.01, count: 64)
        for (row, count) in [8, 4, 1, 2].enumerated() { for column in 0..<count { weight[row * 16 + 3 * column % 16] = 1 + Float(column) } }
        let rho = 15.0 / 64
        XCTAssertEqual(DensityAdaptiveBlockSizes.rowDensities(weight: weight, rows: 4, columns: 16, keepRatio: rho), [0.5, 0.25, 0.0625, 0.125])
        let sizes = DensityAdaptiveBlockSizes.blockSizes(weight: weight, rows: 4, columns: 16, keepRatio: rho)
        XCTAssertEqual(sizes, [2, 4, 16, 8])
        XCTAssertEqual(RegularBlockMatrix.keptCount(columns: 16, blockSizes: sizes), 15)
        // Budget 12: row 2 cannot lose more (1 kept), row 3 (density 0.125) doubles to 16, then row 1 to 8: 8 + 2 + 1 + 1.
        let tight = DensityAdaptiveBlockSizes.fittingBudget([2, 4, 16, 8], densities: [0.5, 0.25, 0.0625, 0.125], columns: 16, budget: 12)
        XCTAssertEqual(tight, [2, 8, 16, 16])
        XCTAssertEqual(RegularBlockMatrix.keptCount(columns: 16, blockSizes: tight), 12)
        // Budget 20 (5 over 15): the densest row that fits a halving takes it (row 1: 4 -> 2, +4), then no halving fits.
        let loose = DensityAdaptiveBlockSizes.fittingBudget([2, 4, 16, 8], densities: [0.5, 0.25, 0.0625, 0.125], columns: 16, budget: 20)
        let kept = RegularBlockMatrix.keptCount(columns: 16, blockSizes: loose)
        XCTAssertLessThanOrEqual(kept, 20)
        XCTAssertGreaterThan(kept, 20 - 8, "within one row-step (at most 8 here)")
    }
}
