import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// A source of training or evaluation batches, epoch by epoch. `DataLoader` conforms; tests use
/// `TensorBatches`. Every batch is a function of (epoch, index) so a resumed run sees the same data.
public protocol BatchProvider: AnyObject {
    /// Batches per epoch.
    var batchCount: Int { get }
    /// Calls `body(index, images [B, C, H, W], labels)` for every batch of `epoch` from `startIndex` on.
    func forEachBatch(epoch: Int, startingAt startIndex: Int, _ body: (Int, Tensor, [Int]) throws -> Void) throws
}

/// Fixed in-memory batches (the same every epoch): for tests and synthetic benchmarks.
public final class TensorBatches: BatchProvider {
    /// The batches in order: images [B, C, H, W] and B labels each.
    public let batches: [(images: Tensor, labels: [Int])]
    /// Provides `batches` unchanged, in the same order, every epoch.
    ///
    /// ```swift
    /// let data = TensorBatches([(images: Tensor(zeros: [4, 3, 32, 32]), labels: [0, 1, 2, 3])])
    /// ```
    public init(_ batches: [(images: Tensor, labels: [Int])]) { self.batches = batches }
    /// Number of batches (the same every epoch).
    public var batchCount: Int { batches.count }
    /// Calls `body(index, images, labels)` for batches `startIndex..<batchCount`; `epoch` is ignored.
    public func forEachBatch(epoch: Int, startingAt startIndex: Int, _ body: (Int, Tensor, [Int]) throws -> Void) throws {
        for index in startIndex..<batches.count { try body(index, batches[index].images, batches[index].labels) }
    }
}
