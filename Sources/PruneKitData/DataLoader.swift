import PruneKitCore

/// Turns a `Dataset` into seeded, reproducible mini-batches of normalised Float32 tensors.
///
/// Determinism contract (what makes resume exact and results independent of thread count):
/// - epoch e's order is a Fisher–Yates shuffle driven by `SplitMix64(mix(seed, "order", e))`: it depends on
///   (seed, epoch) only, so a run resumed at epoch e sees the same order as an uninterrupted one;
/// - sample i's crop/flip in epoch e is drawn from `SplitMix64(mix(seed, "augment", e, i))`, where i is the
///   dataset index: the same whichever batch, thread or resume point produces it;
/// - batch k holds `order[k·B ..< min((k+1)·B, count)]`; with `dropLast` a final short batch is skipped.
///
/// Conversion is a table lookup per pixel on raw buffers ([C, 256] table from `Normalization`).
/// `batches(epoch:startingAt:)` prepares batch k+1 on a background queue while batch k is used.
///
/// ```swift
/// let loader = try DataLoader(dataset: train, config: .training(for: .cifar10, batchSize: 128, seed: 1))
/// for batch in try loader.batches(epoch: 3, startingAt: 10) {   // resume mid-epoch
///     step(batch.images, batch.labels)                          // [128, 3, 32, 32], [128]
/// }
/// ```
public final class DataLoader: Sendable {
    /// The samples.
    public let dataset: Dataset
    /// Batch size, shuffling, augmentation, seed.
    public let config: DataLoaderConfig
    /// [channels, 256] normalised value of every byte.
    let table: [Float]

    /// Validates the configuration against the dataset (batch size ≥ 1, normalisation channel count).
    public init(dataset: Dataset, config: DataLoaderConfig) throws {
        guard config.batchSize > 0 else {
            throw PruneKitError.invalidArgument(operation: "DataLoader", message: "batch size must be positive, got \(config.batchSize)")
        }
        let normalization = config.normalization ?? dataset.normalization
        guard normalization.channels == dataset.channels else {
            throw PruneKitError.invalidArgument(operation: "DataLoader",
                message: "normalisation has \(normalization.channels) channels, images have \(dataset.channels)")
        }
        self.dataset = dataset
        self.config = config
        table = normalization.lookupTable()
    }

    /// Batches per epoch: ⌈count / B⌉, or ⌊count / B⌋ with `dropLast`.
    public var batchCount: Int {
        config.dropLast ? dataset.count / config.batchSize : (dataset.count + config.batchSize - 1) / config.batchSize
    }

    /// Dataset indices in the order epoch `epoch` visits them (identity when not shuffling).
    public func order(epoch: Int) -> [Int] {
        var indices = Array(0..<dataset.count)
        guard config.shuffle, indices.count > 1 else { return indices }
        var rng = SplitMix64(seed: DataLoader.mix(DataLoader.mix(config.seed, DataLoader.orderDomain), UInt64(epoch)))
        for position in stride(from: indices.count - 1, to: 0, by: -1) {
            indices.swapAt(position, rng.nextInt(below: position + 1))
        }
        return indices
    }

    /// Batch `index` of epoch `epoch`, computed synchronously (random access; iteration should use `batches`).
    public func batch(epoch: Int, index: Int) throws -> Batch {
        try checkRange(epoch: epoch, batchIndex: index, allowEnd: false)
        return makeBatch(order: order(epoch: epoch), epoch: epoch, index: index)
    }

    /// The batches of epoch `epoch` from batch `startingAt` on, prefetched in the background if configured.
    public func batches(epoch: Int, startingAt batchIndex: Int = 0) throws -> EpochBatches {
        try checkRange(epoch: epoch, batchIndex: batchIndex, allowEnd: true)
        return EpochBatches(loader: self, epoch: epoch, order: order(epoch: epoch), startingAt: batchIndex)
    }

    /// The augmentation of dataset sample `sample` in epoch `epoch`.
    public func augmentationPlan(epoch: Int, sample: Int) -> AugmentationPlan {
        let augmentation = config.augmentation
        if augmentation.isIdentity { return .identity }
        var rng = SplitMix64(seed: DataLoader.mix(DataLoader.mix(DataLoader.mix(config.seed, DataLoader.augmentDomain),
                                                                 UInt64(epoch)), UInt64(sample)))
        return augmentation.plan(using: &rng)
    }

    /// Converts the samples `order[index·B ..< ...]` into a batch.
    func makeBatch(order: [Int], epoch: Int, index: Int) -> Batch {
        let start = index * config.batchSize
        let indices = Array(order[start..<min(start + config.batchSize, order.count)])
        let (channels, height, width, imageSize) = (dataset.channels, dataset.height, dataset.width, dataset.imageSize)
        var images = Tensor(zeros: [indices.count, channels, height, width], zeroed: false)   // [B, C, H, W]
        images.withUnsafeMutableBufferPointer { output in
            dataset.images.withUnsafeBufferPointer { source in
                table.withUnsafeBufferPointer { lookup in
                    for (slot, sample) in indices.enumerated() {
                        Augmentation.render(source: source.baseAddress! + sample * imageSize, channels: channels,
                                            height: height, width: width, plan: augmentationPlan(epoch: epoch, sample: sample),
                                            table: lookup.baseAddress!, into: output.baseAddress! + slot * imageSize)
                    }
                }
            }
        }
        return Batch(images: images, labels: indices.map { dataset.labels[$0] }, indices: indices)
    }

    private func checkRange(epoch: Int, batchIndex: Int, allowEnd: Bool) throws {
        let limit = allowEnd ? batchCount : batchCount - 1
        guard epoch >= 0, batchIndex >= 0, batchIndex <= limit else {
            throw PruneKitError.invalidArgument(operation: "DataLoader",
                message: "epoch \(epoch), batch \(batchIndex) is outside 0...\(limit) (\(batchCount) batches per epoch)")
        }
    }

    private static let orderDomain: UInt64 = 0x6F72_6465_7273_6565      // "ordersee"
    private static let augmentDomain: UInt64 = 0x6175_676D_656E_7473    // "augments"

    /// Hash of two words: the SplitMix64 finaliser of `(a ⊕ b)` after finalising `a`, so that nearby inputs
    /// give unrelated streams.
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var first = SplitMix64(seed: a)
        var second = SplitMix64(seed: first.next() ^ b)
        return second.next()
    }
}
