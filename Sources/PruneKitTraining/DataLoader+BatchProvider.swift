import PruneKitCore
import PruneKitNetworks
import PruneKitData

extension DataLoader: BatchProvider {
    /// Feeds the trainer from `batches(epoch:startingAt:)`, which prepares the next batch in the background.
    public func forEachBatch(epoch: Int, startingAt startIndex: Int, _ body: (Int, Tensor, [Int]) throws -> Void) throws {
        var index = startIndex
        for batch in try batches(epoch: epoch, startingAt: startIndex) {
            try body(index, batch.images, batch.labels)
            index += 1
        }
    }
}
