import Dispatch
import PruneKitCore

/// The batches of one epoch, in order, from a start index; made by `DataLoader.batches(epoch:startingAt:)`.
///
/// With `config.prefetch`, batch k+1 is converted on a private serial Dispatch queue while the caller uses
/// batch k (one batch in flight, so memory stays at two batches). The batches are identical with and
/// without prefetching: their content depends only on (seed, epoch, batch index).
///
/// ```swift
/// let epoch = try loader.batches(epoch: 2, startingAt: 5)
/// while let batch = epoch.next() { train(on: batch); checkpoint(epoch: 2, nextBatch: epoch.nextIndex) }
/// ```
public final class EpochBatches: Sequence, IteratorProtocol {
    /// The epoch these batches belong to.
    public let epoch: Int
    /// Index of the batch the next call to `next()` returns.
    public private(set) var nextIndex: Int
    /// Batches in the whole epoch (including those before the start index).
    public let batchCount: Int
    private let loader: DataLoader
    private let order: [Int]
    private let queue: DispatchQueue?
    private var pending: PendingBatch?

    init(loader: DataLoader, epoch: Int, order: [Int], startingAt start: Int) {
        self.loader = loader
        self.epoch = epoch
        self.order = order
        nextIndex = start
        batchCount = loader.batchCount
        queue = loader.config.prefetch ? DispatchQueue(label: "PruneKit.DataLoader.prefetch", qos: .userInitiated) : nil
        schedule(start)
    }

    deinit {
        // Let an in-flight conversion finish so no work outlives the iterator.
        pending?.wait()
    }

    /// The next batch, or nil after the last one.
    public func next() -> Batch? {
        guard nextIndex < batchCount else { return nil }
        let index = nextIndex
        let batch: Batch
        if let pending, pending.index == index {
            batch = pending.wait()
            self.pending = nil
        } else {
            batch = loader.makeBatch(order: order, epoch: epoch, index: index)
        }
        nextIndex += 1
        schedule(nextIndex)
        return batch
    }

    /// Starts converting batch `index` in the background (no-op without prefetch or past the end).
    private func schedule(_ index: Int) {
        guard let queue, index < batchCount else { return }
        let slot = PendingBatch(index: index)
        let (loader, order, epoch) = (self.loader, self.order, self.epoch)
        queue.async { slot.fulfil(loader.makeBatch(order: order, epoch: epoch, index: index)) }
        pending = slot
    }
}

/// A batch being prepared on another thread: written once, then read after the semaphore is signalled
/// (the semaphore orders the write before the read, hence `@unchecked Sendable`).
final class PendingBatch: @unchecked Sendable {
    let index: Int
    private let ready = DispatchSemaphore(value: 0)
    private var batch: Batch?
    private var taken = false

    init(index: Int) { self.index = index }

    func fulfil(_ value: Batch) {
        batch = value
        ready.signal()
    }

    /// Blocks until the batch is ready; callable more than once.
    @discardableResult
    func wait() -> Batch {
        if !taken {
            ready.wait()
            taken = true
        }
        return batch!
    }
}
