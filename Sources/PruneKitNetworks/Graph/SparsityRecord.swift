import PruneKitCore

/// Sparsity finer than a channel, recorded on a convolution or linear node. The weight is viewed as a matrix
/// [rows, columns]: [OC, C * K * K] for a convolution (im2col columns, index c * K * K + tap), [out, in] for a
/// linear layer. The checkpoint keeps the dense-shaped weight with exact zeros, so PyTorch still loads it.
///
/// - `columns(kept:)`: only the listed columns are non-zero (SPP, Wang et al. 2018; IncReg's column mode);
///   multiply-adds scale by kept / columns.
/// - `blocks(rowBlockSizes:)`: row r is cut into blocks of `rowBlockSizes[r]` consecutive entries (the last may be
///   shorter) and each block keeps at most one non-zero, its largest magnitude: DARB's block-max weight mask
///   (Ren et al. 2019), BMWM when every size is equal. A row keeps ceil(columns / b_r) entries.
///
/// ```swift
/// let record = SparsityRecord.columns(kept: [0, 2, 5])
/// try record.keptEntries(rows: 4, columns: 9)      // 12
/// ```
public enum SparsityRecord: Equatable, Sendable {
    /// Kept im2col columns, ascending and distinct.
    case columns(kept: [Int])
    /// Block size per row, each >= 1.
    case blocks(rowBlockSizes: [Int])

    /// Throws unless the record fits a [rows, columns] weight (column indices in range, ascending, distinct, at least
    /// one; one block size >= 1 per row). `node` names the graph node in the error.
    public func validate(rows: Int, columns: Int, node: String) throws {
        switch self {
        case let .columns(kept):
            guard !kept.isEmpty, kept.allSatisfy({ (0..<columns).contains($0) }), zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw PruneKitError.invalidParameter(name: "\(node).sparsity.columns",
                                                     expected: "ascending distinct column indices in 0..<\(columns), at least one",
                                                     found: kept.count > 8 ? "\(kept.prefix(8))... (\(kept.count))" : "\(kept)")
            }
        case let .blocks(sizes):
            guard sizes.count == rows, sizes.allSatisfy({ $0 >= 1 }) else {
                throw PruneKitError.invalidParameter(name: "\(node).sparsity.blocks",
                                                     expected: "\(rows) block sizes (one per row), each >= 1",
                                                     found: "\(sizes.count) sizes, smallest \(sizes.min() ?? 0)")
            }
        }
    }

    /// Entries that may be non-zero in a [rows, columns] weight.
    public func keptEntries(rows: Int, columns: Int) -> Int {
        switch self {
        case let .columns(kept): return rows * kept.count
        case let .blocks(sizes): return sizes.reduce(0) { $0 + (columns + $1 - 1) / $1 }
        }
    }

    /// [rows * columns] 1/0 mask of the entries kept for `weight` (row-major [rows, columns]): the kept columns, or
    /// in each block the first entry of largest magnitude.
    public func mask(for weight: Tensor, rows: Int, columns: Int) -> [Float] {
        var mask = [Float](repeating: 0, count: rows * columns)
        switch self {
        case let .columns(kept):
            for row in 0..<rows { for column in kept { mask[row * columns + column] = 1 } }
        case let .blocks(sizes):
            let kept = weight.withUnsafeBufferPointer { RegularBlockMatrix.blockMaxima(of: $0, rows: rows, columns: columns, blockSizes: sizes) }
            for index in kept { mask[index] = 1 }
        }
        return mask
    }
}
