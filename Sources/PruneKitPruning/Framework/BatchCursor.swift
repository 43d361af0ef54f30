import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Runs a given number of training iterations over a `BatchProvider`, continuing where the previous call
/// stopped and wrapping into the next epoch: the "N SGD updates between pruning steps" of iterative methods.
///
/// ```swift
/// let cursor = BatchCursor(trainingBatches)
/// try cursor.run(updates: 10) { images, labels in /* forward, backward, step */ }
/// ```
public final class BatchCursor {
    /// The batches.
    public let provider: BatchProvider
    /// Epoch and batch index of the next batch.
    public private(set) var epoch = 0, index = 0

    /// A cursor at the first batch of epoch 0.
    public init(_ provider: BatchProvider) { self.provider = provider }

    private struct Stop: Error {}

    /// Calls `body` on the next `updates` batches. Throws if the provider has no batches.
    public func run(updates: Int, _ body: (Tensor, [Int]) throws -> Void) throws {
        guard provider.batchCount > 0 else {
            throw PruneKitError.invalidArgument(operation: "training updates", message: "the training data has no batches")
        }
        var done = 0
        while done < updates {
            do {
                try provider.forEachBatch(epoch: epoch, startingAt: index) { batchIndex, images, labels in
                    guard done < updates else { throw Stop() }
                    try body(images, labels)
                    done += 1
                    index = batchIndex + 1
                }
            } catch is Stop {
                return
            }
            (epoch, index) = (epoch + 1, 0)
        }
    }
}
