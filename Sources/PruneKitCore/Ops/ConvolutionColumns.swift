// Legend: OC output channels, C input channels, KK = KH*KW kernel taps.

/// The kept im2col columns of a convolution weight [OC, C, KH, KW] viewed as the matrix [OC, C*KK]: column
/// j = c*KK + tap (tap = kh*KW + kw) is input channel c at one kernel position, across all filters. Column pruning
/// (SPP, Wang et al. BMVC 2018; IncReg's column mode) zeroes whole columns; `conv2d(..., columns:)` then computes
/// with W ⊙ M (M the 0/1 column mask) and multiplies only the kept columns on the direct kernels, so its cost scales
/// with kept / (C*KK) and the gradient of a pruned column is exactly 0.
///
/// ```swift
/// let columns = try ConvolutionColumns(kept: [0, 4, 9, 13], channels: 2, kernelArea: 9)
/// columns.keptChannels(atTap: 4)     // [0, 1]
/// ```
public struct ConvolutionColumns: Hashable, Sendable {
    /// Kept column indices c*KK + tap, ascending and distinct.
    public let kept: [Int]
    /// C, the weight's input channels.
    public let channels: Int
    /// KK, taps per kernel.
    public let kernelArea: Int

    /// Throws unless `kept` is ascending, distinct and inside 0..<channels*kernelArea.
    public init(kept: [Int], channels: Int, kernelArea: Int) throws {
        let count = channels * kernelArea
        guard channels > 0, kernelArea > 0, kept.allSatisfy({ (0..<count).contains($0) }),
              zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PruneKitError.invalidParameter(name: "kept columns", expected: "ascending distinct indices in 0..<\(count)",
                                                 found: kept.count > 8 ? "\(kept.prefix(8))... (\(kept.count))" : "\(kept)")
        }
        (self.kept, self.channels, self.kernelArea) = (kept, channels, kernelArea)
    }

    /// The columns after input-channel surgery keeps `channels` (ascending old indices): kept columns of those channels,
    /// renumbered. Throws when an index is out of range.
    public func keepingChannels(_ keptChannels: [Int]) throws -> ConvolutionColumns {
        var newIndex = [Int?](repeating: nil, count: channels)
        for (position, channel) in keptChannels.enumerated() where (0..<channels).contains(channel) { newIndex[channel] = position }
        let remapped = kept.compactMap { column in newIndex[column / kernelArea].map { $0 * kernelArea + column % kernelArea } }
        return try ConvolutionColumns(kept: remapped, channels: keptChannels.count, kernelArea: kernelArea)
    }

    /// C*KK, the columns of the dense weight.
    public var columnCount: Int { channels * kernelArea }

    /// Input channels whose column at `tap` is kept, ascending.
    public func keptChannels(atTap tap: Int) -> [Int] {
        kept.filter { $0 % kernelArea == tap }.map { $0 / kernelArea }
    }

    /// Whether the columns fit a weight of `shape` [OC, C, KH, KW].
    func fits(_ shape: [Int]) -> Bool { shape.count == 4 && shape[1] == channels && shape[2] * shape[3] == kernelArea }

    /// Zeroes the pruned columns of `weight` [OC, C, KH, KW] (a weight or its gradient) in place.
    public func zeroPruned(_ weight: inout Tensor) {
        var keep = [Bool](repeating: false, count: columnCount)
        for column in kept { keep[column] = true }
        let rows = weight.count / columnCount
        weight.withUnsafeMutableBufferPointer { w in
            for row in 0..<rows {
                let base = row * columnCount
                for column in 0..<columnCount where !keep[column] { w[base + column] = 0 }
            }
        }
    }

    /// `weight` with its pruned columns zeroed.
    func masked(_ weight: Tensor) -> Tensor {
        var result = weight
        zeroPruned(&result)
        return result
    }
}
