import Foundation

// Legend: R rows, N columns (row length), b_r the block size of row r, B_r = ceil(N / b_r) the blocks (= kept entries)
// of row r, o_r = ceil(log2 b_r) offset bits of row r, K = sum_r B_r the kept entries of the matrix.

/// A matrix in DARB's regular-block sparse format (Ren et al., "DARB: A Density-Adaptive Regular-Block Pruning for
/// Deep Neural Networks", AAAI 2020): row r is cut into blocks of b_r consecutive columns (the last one may be shorter)
/// and each block keeps exactly one entry, stored as one Float value and a ceil(log2 b_r)-bit offset inside the block
/// (column = block * b_r + offset). BMWM is the case of one b for all rows. Offsets are bit-packed into one stream,
/// row after row, least significant bit first; a decoder computes every column independently (no running sum, unlike
/// CSR's relative indices), which is the format's decoding advantage.
///
/// Storage (`storageBytes`): 4 K bytes of values + ceil(sum_r B_r o_r / 8) bytes of offsets + 2 R bytes of block sizes
/// (one UInt16 per row, as `RegularBlockFile` writes them).
///
/// ```swift
/// let matrix = try RegularBlockMatrix(encoding: [0.1, -0.9, 0.3, 0.2, 0.5, -0.4, 0.05, 0.6], rows: 1, columns: 8,
///                                     blockSizes: [4])
/// matrix.values                 // [-0.9, 0.6]
/// matrix.offset(row: 0, block: 1)  // 3
/// matrix.decoded()              // [0, -0.9, 0, 0, 0, 0, 0, 0.6]
/// ```
public struct RegularBlockMatrix: Equatable, Sendable {
    /// R: rows (output channels or features).
    public let rows: Int
    /// N: columns (C_in k_h k_w for a convolution, filter-major as im2col; input features for a linear layer).
    public let columns: Int
    /// [R] block size b_r of each row, in 1...`maximumBlockSize`.
    public let blockSizes: [Int]
    /// [K] kept values, row after row, block after block.
    public let values: [Float]
    /// ceil(sum_r B_r o_r / 8) bytes of packed offsets followed by 8 zero bytes, so that a kernel may read any offset
    /// with one unaligned 64-bit load.
    public let packedOffsets: [UInt8]
    /// [R + 1] index of each row's first value in `values` (derived, not stored in files).
    let rowValueStarts: [Int]
    /// [R + 1] bit position of each row's first offset in `packedOffsets` (derived, not stored in files).
    let rowBitStarts: [Int]

    /// The largest block size (a UInt16 in files).
    public static let maximumBlockSize = 65_535

    /// ceil(log2 b): the bits of one offset in a block of `blockSize` entries (0 for b = 1: the row is dense).
    @inlinable
    public static func offsetBits(blockSize: Int) -> Int {
        blockSize <= 1 ? 0 : Int.bitWidth - (blockSize - 1).leadingZeroBitCount
    }

    /// B = ceil(N / b): blocks (kept entries) of a row of `columns` entries.
    @inlinable
    public static func blockCount(columns: Int, blockSize: Int) -> Int { (columns + blockSize - 1) / blockSize }

    /// Encodes the row-major [rows, columns] `dense` matrix: in each block the first entry of largest magnitude is
    /// kept (BMWM; for a matrix already masked that way, the one non-zero). Throws naming the argument when shapes or
    /// block sizes do not fit.
    public init(encoding dense: [Float], rows: Int, columns: Int, blockSizes: [Int]) throws {
        try Self.check(rows: rows, columns: columns, blockSizes: blockSizes)
        guard dense.count == rows * columns else {
            throw PruneKitError.shapeMismatch(operation: "regular-block encoding", expected: "\(rows) x \(columns) = \(rows * columns) values",
                                              found: "\(dense.count)")
        }
        let kept = Self.blockMaxima(of: dense, rows: rows, columns: columns, blockSizes: blockSizes)
        let offsets = kept.map { index in
            let column = index % columns
            return column - column / blockSizes[index / columns] * blockSizes[index / columns]
        }
        try self.init(rows: rows, columns: columns, blockSizes: blockSizes, values: kept.map { dense[$0] }, offsets: offsets)
    }

    /// Flat indices r N + c of the entry each block keeps, in row and block order: the first entry of largest magnitude
    /// (BMWM's block maximum, ties to the lowest index). The one rule `SparsityRecord.mask` and the encoder share.
    /// `dense` is [rows, columns] row-major; block sizes are assumed valid (>= 1, one per row).
    public static func blockMaxima(of dense: [Float], rows: Int, columns: Int, blockSizes: [Int]) -> [Int] {
        dense.withUnsafeBufferPointer { blockMaxima(of: $0, rows: rows, columns: columns, blockSizes: blockSizes) }
    }

    /// `blockMaxima` read in place (a tensor's storage, no copy).
    public static func blockMaxima(of w: UnsafeBufferPointer<Float>, rows: Int, columns: Int, blockSizes: [Int]) -> [Int] {
        var kept: [Int] = []
        kept.reserveCapacity(keptCount(columns: columns, blockSizes: blockSizes))
        for row in 0..<rows {
            let size = blockSizes[row], base = row * columns
            for start in stride(from: base, to: base + columns, by: size) {
                var best = start
                for index in start..<min(start + size, base + columns) where abs(w[index]) > abs(w[best]) { best = index }
                kept.append(best)
            }
        }
        return kept
    }

    /// A matrix from its parts: `offsets` [K] one per kept value, each below its block's length. Throws naming what
    /// does not fit.
    public init(rows: Int, columns: Int, blockSizes: [Int], values: [Float], offsets: [Int]) throws {
        try Self.check(rows: rows, columns: columns, blockSizes: blockSizes)
        let (valueStarts, bitStarts) = Self.rowStarts(columns: columns, blockSizes: blockSizes)
        guard values.count == valueStarts[rows], offsets.count == values.count else {
            throw PruneKitError.shapeMismatch(operation: "regular-block matrix", expected: "\(valueStarts[rows]) values and offsets",
                                              found: "\(values.count) values, \(offsets.count) offsets")
        }
        var bytes = [UInt8](repeating: 0, count: (bitStarts[rows] + 7) / 8 + 8)
        for row in 0..<rows {
            let size = blockSizes[row], bits = Self.offsetBits(blockSize: size)
            for block in 0..<(valueStarts[row + 1] - valueStarts[row]) {
                let offset = offsets[valueStarts[row] + block]
                guard offset >= 0, block * size + offset < min((block + 1) * size, columns) else {
                    throw PruneKitError.invalidParameter(name: "offsets[\(valueStarts[row] + block)]",
                                                         expected: "an offset inside block \(block) of row \(row) (block size \(size), \(columns) columns)",
                                                         found: "\(offset)")
                }
                let position = bitStarts[row] + block * bits
                for bit in 0..<bits where (offset >> bit) & 1 == 1 { bytes[(position + bit) >> 3] |= UInt8(1 << ((position + bit) & 7)) }
            }
        }
        (self.rows, self.columns, self.blockSizes, self.values) = (rows, columns, blockSizes, values)
        (packedOffsets, rowValueStarts, rowBitStarts) = (bytes, valueStarts, bitStarts)
    }

    /// A matrix from stored parts (`RegularBlockFile`): `packedOffsets` without the 8 padding bytes. Throws when a
    /// part has the wrong length or an offset points past its block.
    public init(rows: Int, columns: Int, blockSizes: [Int], values: [Float], packedOffsets: [UInt8]) throws {
        try Self.check(rows: rows, columns: columns, blockSizes: blockSizes)
        let (valueStarts, bitStarts) = Self.rowStarts(columns: columns, blockSizes: blockSizes)
        guard packedOffsets.count == (bitStarts[rows] + 7) / 8 else {
            throw PruneKitError.shapeMismatch(operation: "regular-block offsets", expected: "\((bitStarts[rows] + 7) / 8) bytes",
                                              found: "\(packedOffsets.count)")
        }
        var offsets = [Int](repeating: 0, count: valueStarts[rows])
        for row in 0..<rows {
            let bits = Self.offsetBits(blockSize: blockSizes[row])
            for block in 0..<(valueStarts[row + 1] - valueStarts[row]) {
                offsets[valueStarts[row] + block] = Self.readOffset(packedOffsets, at: bitStarts[row] + block * bits, bits: bits)
            }
        }
        try self.init(rows: rows, columns: columns, blockSizes: blockSizes, values: values, offsets: offsets)
    }

    /// K: kept entries (`values.count`).
    public var keptCount: Int { values.count }

    /// Bytes of the packed offsets (without the padding).
    public var offsetBytes: Int { (rowBitStarts[rows] + 7) / 8 }

    /// 4 K + ceil(sum_r B_r o_r / 8) + 2 R: values, packed offsets and one UInt16 block size per row.
    public var storageBytes: Int { 4 * keptCount + offsetBytes + 2 * rows }

    /// K = sum_r ceil(N / b_r).
    public static func keptCount(columns: Int, blockSizes: [Int]) -> Int {
        blockSizes.reduce(0) { $0 + blockCount(columns: columns, blockSize: $1) }
    }

    /// The offset of `block` in `row` (column = block * b_r + offset).
    public func offset(row: Int, block: Int) -> Int {
        let bits = Self.offsetBits(blockSize: blockSizes[row])
        return Self.readOffset(packedOffsets, at: rowBitStarts[row] + block * bits, bits: bits)
    }

    /// The `bits`-bit offset stored LSB first at bit `position` of `packed`.
    static func readOffset(_ packed: [UInt8], at position: Int, bits: Int) -> Int {
        (0..<bits).reduce(0) { $0 | Int((packed[(position + $1) >> 3] >> ((position + $1) & 7)) & 1) << $1 }
    }

    /// Row-major [rows, columns] dense matrix with the kept values and zeros elsewhere.
    public func decoded() -> [Float] {
        [Float](unsafeUninitializedCapacity: rows * columns) { buffer, count in
            decode(into: buffer.baseAddress!)
            count = rows * columns
        }
    }

    /// [R, N] check and prefix sums: (value starts [R + 1], bit starts [R + 1]).
    static func rowStarts(columns: Int, blockSizes: [Int]) -> ([Int], [Int]) {
        var valueStarts = [0], bitStarts = [0]
        for size in blockSizes {
            let blocks = blockCount(columns: columns, blockSize: size)
            valueStarts.append(valueStarts.last! + blocks)
            bitStarts.append(bitStarts.last! + blocks * offsetBits(blockSize: size))
        }
        return (valueStarts, bitStarts)
    }

    private static func check(rows: Int, columns: Int, blockSizes: [Int]) throws {
        guard rows >= 0, columns >= 1 || rows == 0 else {
            throw PruneKitError.invalidParameter(name: "regular-block shape", expected: "rows >= 0 and columns >= 1", found: "\(rows) x \(columns)")
        }
        guard blockSizes.count == rows, blockSizes.allSatisfy({ (1...maximumBlockSize).contains($0) }) else {
            throw PruneKitError.invalidParameter(name: "blockSizes", expected: "\(rows) sizes in 1...\(maximumBlockSize)",
                                                 found: "\(blockSizes.count) sizes in \(blockSizes.min() ?? 0)...\(blockSizes.max() ?? 0)")
        }
    }
}
