import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// What a 0/1 weight mask zeroes, the one description `WeightMasks` stores for unstructured, channel, column and
/// block sparsity. A weight is read as the matrix [N_out, C_in k k] (a linear weight is [out, in]); patterns expand
/// to a mask tensor of the weight's shape with `tensor(shape:)`.
///
/// - `elements`: any 0/1 tensor (Han et al. 2015 magnitude masks).
/// - `slices`: whole axis indices of a `UnitSlices.Layout`: output channels (axis 0), input channels (axis 1) or
///   im2col columns (`Layout.columns(of:)`, IncReg's column mode).
/// - `blocks`: for each row of the [N_out, C_in k k] matrix, blocks of `size` consecutive entries (the last one
///   may be shorter) of which the listed ones are zeroed: DARB's regular block sparsity (darb.md), where each row
///   keeps one weight per block.
///
/// ```swift
/// let columns = MaskPattern.slices(.columns(of: [8, 4, 3, 3]), zeroed: [0, 5])   // columns 0 and 5 of every row
/// let blocks = MaskPattern.blocks(size: 4, zeroed: [[1], [], [0, 2]])              // per row, block indices
/// try masks.set(columns, for: conv.weight)
/// ```
public enum MaskPattern: Equatable {
    /// A mask tensor of the weight's shape.
    case elements(Tensor)
    /// Zeroed indices of the layout's middle axis, for every outer and inner index.
    case slices(UnitSlices.Layout, zeroed: [Int])
    /// Row r of the [rows, rest] matrix: blocks `zeroed[r]` of `size` entries are zeroed.
    case blocks(size: Int, zeroed: [[Int]])

    /// The 0/1 mask for a weight of `shape`; throws `shapeMismatch` when the pattern does not fit it.
    public func tensor(shape: [Int]) throws -> Tensor {
        let count = shape.reduce(1, *)
        switch self {
        case let .elements(mask):
            guard mask.shape == shape else { throw mismatch(shape, "\(mask.shape)") }
            return mask
        case let .slices(layout, zeroed):
            guard layout.outer * layout.length * layout.inner == count, zeroed.allSatisfy({ (0..<layout.length).contains($0) }) else {
                throw mismatch(shape, "layout \(layout.outer) x \(layout.length) x \(layout.inner), indices \(zeroed)")
            }
            var mask = Tensor(repeating: 1, shape: shape)
            mask.withUnsafeMutableBufferPointer { m in
                for o in 0..<layout.outer { for c in zeroed { for i in 0..<layout.inner { m[(o * layout.length + c) * layout.inner + i] = 0 } } }
            }
            return mask
        case let .blocks(size, zeroed):
            let rows = shape.first ?? 0, rowLength = rows > 0 ? count / rows : 0
            guard size > 0, zeroed.count == rows, zeroed.joined().allSatisfy({ $0 >= 0 && $0 * size < rowLength }) else {
                throw mismatch(shape, "\(zeroed.count) rows of blocks of \(size)")
            }
            var mask = Tensor(repeating: 1, shape: shape)
            mask.withUnsafeMutableBufferPointer { m in
                for (row, blocks) in zeroed.enumerated() {
                    for block in blocks { for i in block * size..<min((block + 1) * size, rowLength) { m[row * rowLength + i] = 0 } }
                }
            }
            return mask
        }
    }

    private func mismatch(_ shape: [Int], _ found: String) -> PruneKitError {
        .shapeMismatch(operation: "mask pattern", expected: "a pattern fitting weight \(shape)", found: found)
    }
}
