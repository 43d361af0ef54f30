import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Bytes of one block-pruned weight in four formats (darb.md "Decoding efficiency", [proposal] accounting):
/// - dense: 4 R N;
/// - regular block (`RegularBlockMatrix.storageBytes`): 4 K values + ceil(sum_r B_r ceil(log2 b_r) / 8) offset bytes +
///   2 R (a UInt16 block size per row);
/// - CSR (`CompressedSparseRowMatrix.storageBytes`): 8 Z + 4 (R + 1), 32-bit values and column indices;
/// - relative index (Deep Compression's `RelativeIndexEncoding`, Han et al. ICLR 2016, without weight sharing or
///   Huffman coding so that values stay 32-bit as in the others): ceil(E (32 + i) / 8), E = non-zeros plus filler
///   entries for gaps over 2^i - 1, i = 8 bits for convolutions and 5 for linear layers (Han et al.'s widths).
/// K counts kept entries (a kept zero too), Z only non-zeros.
///
/// ```swift
/// let rows = try RegularBlockStorage.measure(model)       // layers with block records
/// rows.map(\.regularBlockBytes)
/// ```
public struct RegularBlockStorage: Equatable, Codable {
    /// Layer name.
    public var layer: String
    /// R and N of the weight matrix.
    public var rows: Int, columns: Int
    /// K: kept entries (one per block).
    public var keptWeights: Int
    /// Z: non-zero entries.
    public var nonzeroWeights: Int
    /// Bytes of each format.
    public var denseBytes: Int, regularBlockBytes: Int, csrBytes: Int, relativeIndexBytes: Int

    /// The storage of `weight` ([R, ...]) with row block sizes `blockSizes`.
    public static func measure(layer: String, weight: Tensor, blockSizes: [Int]) throws -> RegularBlockStorage {
        let rows = weight.shape[0], columns = weight.count / max(rows, 1), scalars = weight.scalars
        let matrix = try RegularBlockMatrix(encoding: scalars, rows: rows, columns: columns, blockSizes: blockSizes)
        let decoded = matrix.decoded(), csr = CompressedSparseRowMatrix(dense: decoded, rows: rows, columns: columns)
        let indexBits = weight.shape.count == 4 ? 8 : 5
        let positions = decoded.indices.filter { decoded[$0] != 0 }
        let entries = RelativeIndexEncoding.encode(positions, bits: indexBits).count
        return RegularBlockStorage(layer: layer, rows: rows, columns: columns, keptWeights: matrix.keptCount, nonzeroWeights: csr.nonzeroCount,
                                   denseBytes: 4 * weight.count, regularBlockBytes: matrix.storageBytes, csrBytes: csr.storageBytes,
                                   relativeIndexBytes: (entries * (32 + indexBits) + 7) / 8)
    }

    /// The storage of every layer of `model` with a block record.
    public static func measure(_ model: Model) throws -> [RegularBlockStorage] {
        try RegularBlockLayers.recorded(in: model).map { try measure(layer: $0.layer.name, weight: $0.layer.weight.value, blockSizes: $0.blockSizes) }
    }

    /// The sum of `rows` under the name `total`.
    public static func total(_ rows: [RegularBlockStorage]) -> RegularBlockStorage {
        rows.reduce(RegularBlockStorage(layer: "total", rows: 0, columns: 0, keptWeights: 0, nonzeroWeights: 0, denseBytes: 0, regularBlockBytes: 0,
                                        csrBytes: 0, relativeIndexBytes: 0)) { sum, row in
            var sum = sum
            sum.rows += row.rows
            sum.keptWeights += row.keptWeights; sum.nonzeroWeights += row.nonzeroWeights
            sum.denseBytes += row.denseBytes; sum.regularBlockBytes += row.regularBlockBytes
            sum.csrBytes += row.csrBytes; sum.relativeIndexBytes += row.relativeIndexBytes
            return sum
        }
    }

    /// One line: `conv2: kept 150 of 2400 (16.0x), bytes dense 9600, regular-block 652, CSR 1204, relative-index 889`.
    public var line: String {
        let total = denseBytes / 4
        return String(format: "%@: kept %d of %d (%.1fx), bytes dense %d, regular-block %d, CSR %d, relative-index %d", layer, keptWeights, total,
                      Double(total) / Double(max(keptWeights, 1)), denseBytes, regularBlockBytes, csrBytes, relativeIndexBytes)
    }
}
