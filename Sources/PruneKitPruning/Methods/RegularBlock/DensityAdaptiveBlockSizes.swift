import Foundation
import PruneKitCore

/// DARB's per-row block sizes (Ren et al., AAAI 2020; darb.md "DARB", the [proposal] rule, since the paper's exact
/// mapping was not found): rows that keep more weights under irregular pruning get smaller blocks.
///
/// 1. Irregular magnitude pruning of the layer at keep ratio rho (the round(rho R N) largest |w| of the layer, ties to
///    the lower flat index) gives each row its density d_r = kept_r / N.
/// 2. b_r = 2^round(log2(1 / max(d_r, epsilon))), clamped to `allowedSizes` {1, 2, 4, ..., 64} (epsilon = 1/64).
/// 3. Budget fix-up to K* = rho R N kept entries (K = sum_r ceil(N / b_r)): while K > K*, double b_r of the sparsest
///    row (lowest d_r, then lowest index) among those where doubling lowers ceil(N / b_r); then, while some halving
///    fits, halve b_r of the densest row (highest d_r, then lowest index) whose halving keeps K <= K*. The result is
///    at most K* and within one row-step of it (or every row is at 64 and K is as low as the sizes allow).
///
/// ```swift
/// DensityAdaptiveBlockSizes.roundedSizes(densities: [0.5, 0.25, 0.0625, 0.125])   // [2, 4, 16, 8]
/// ```
public enum DensityAdaptiveBlockSizes {
    /// Powers of two (offsets are whole bits): 1 = dense row, 64 = one weight in 64.
    public static let allowedSizes = [1, 2, 4, 8, 16, 32, 64]
    /// The density floor: an empty row gets the largest block.
    public static let densityFloor = 1.0 / 64

    /// The block size of every row of the [rows, columns] `weight` (row-major) at keep ratio `keepRatio`: steps 1-3.
    public static func blockSizes(weight: [Float], rows: Int, columns: Int, keepRatio: Double) -> [Int] {
        let densities = rowDensities(weight: weight, rows: rows, columns: columns, keepRatio: keepRatio)
        let budget = Int((keepRatio * Double(rows * columns)).rounded(.down))
        return fittingBudget(roundedSizes(densities: densities), densities: densities, columns: columns, budget: max(budget, rows))
    }

    /// Step 1: d_r = (entries of row r among the round(rho R N) largest |w|) / N.
    public static func rowDensities(weight: [Float], rows: Int, columns: Int, keepRatio: Double) -> [Double] {
        let kept = min(max(Int((keepRatio * Double(weight.count)).rounded()), 0), weight.count)
        let order = weight.indices.sorted { abs(weight[$0]) != abs(weight[$1]) ? abs(weight[$0]) > abs(weight[$1]) : $0 < $1 }
        var counts = [Int](repeating: 0, count: rows)
        for index in order.prefix(kept) { counts[index / columns] += 1 }
        return counts.map { Double($0) / Double(columns) }
    }

    /// Step 2: b_r = 2^round(log2(1 / max(d_r, epsilon))) within `allowedSizes`.
    public static func roundedSizes(densities: [Double]) -> [Int] {
        densities.map { density in
            let exponent = Int(log2(1 / max(density, densityFloor)).rounded())
            return 1 << min(max(exponent, 0), 6)
        }
    }

    /// Step 3: the budget fix-up (at most `budget` kept entries in rows of `columns`).
    public static func fittingBudget(_ sizes: [Int], densities: [Double], columns: Int, budget: Int) -> [Int] {
        var sizes = sizes
        func kept(_ size: Int) -> Int { RegularBlockMatrix.blockCount(columns: columns, blockSize: size) }
        var total = sizes.reduce(0) { $0 + kept($1) }
        let bySparsity = densities.indices.sorted { densities[$0] != densities[$1] ? densities[$0] < densities[$1] : $0 < $1 }
        while total > budget {
            guard let row = bySparsity.first(where: { sizes[$0] < 64 && kept(2 * sizes[$0]) < kept(sizes[$0]) }) else { break }
            total -= kept(sizes[row]) - kept(2 * sizes[row])
            sizes[row] *= 2
        }
        let byDensity = densities.indices.sorted { densities[$0] != densities[$1] ? densities[$0] > densities[$1] : $0 < $1 }
        while let row = byDensity.first(where: { sizes[$0] > 1 && total + kept(sizes[$0] / 2) - kept(sizes[$0]) <= budget }) {
            total += kept(sizes[row] / 2) - kept(sizes[row])
            sizes[row] /= 2
        }
        return sizes
    }
}
