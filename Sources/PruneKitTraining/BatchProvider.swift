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
    public let batches: [(images: Tensor, labels: [Int])]
    public init(_ batches: [(images: Tensor, labels: [Int])]) { self.batches = batches }
    public var batchCount: Int { batches.count }
    public func forEachBatch(epoch: Int, startingAt startIndex: Int, _ body: (Int, Tensor, [Int]) throws -> Void) throws {
        for index in startIndex..<batches.count { try body(index, batches[index].images, batches[index].labels) }
    }
}
