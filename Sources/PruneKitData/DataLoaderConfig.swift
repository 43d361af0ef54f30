import PruneKitCore

/// Everything a `DataLoader` needs besides the data: batch size, shuffling, augmentation, drop-last, seed.
///
/// A value type passed whole (STYLE §9). `training(for:batchSize:seed:)` and `evaluation(batchSize:)` give the
/// usual recipes; dropping the last partial training batch is the caller's choice (`dropLast`).
///
/// ```swift
/// var config = DataLoaderConfig.training(for: .cifar10, batchSize: 128, seed: 42)
/// config.dropLast = true
/// let loader = try DataLoader(dataset: train, config: config)
/// ```
public struct DataLoaderConfig: Equatable, Codable, Sendable {
    /// Images per batch (the last batch may be smaller unless `dropLast`).
    public var batchSize: Int
    /// Visit the samples in a fresh random order each epoch (derived from `seed` and the epoch only).
    public var shuffle: Bool
    /// Per-sample random crop / flip; `.none` for evaluation.
    public var augmentation: Augmentation
    /// Skip the final batch when it has fewer than `batchSize` images.
    public var dropLast: Bool
    /// Root of all loader randomness: shuffle order and augmentation.
    public var seed: UInt64
    /// Prepare the next batch on a background thread while the current one is used.
    public var prefetch: Bool
    /// Statistics to normalise with; nil uses the dataset's own (`Dataset.normalization`).
    public var normalization: Normalization?

    /// A configuration; every parameter has the evaluation-style default except `batchSize`.
    public init(batchSize: Int, shuffle: Bool = false, augmentation: Augmentation = .none, dropLast: Bool = false,
                seed: UInt64 = 0, prefetch: Bool = true, normalization: Normalization? = nil) {
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.augmentation = augmentation
        self.dropLast = dropLast
        self.seed = seed
        self.prefetch = prefetch
        self.normalization = normalization
    }

    /// Shuffled, with the dataset's standard training augmentation; keeps the last partial batch.
    public static func training(for kind: DatasetKind, batchSize: Int, seed: UInt64) -> DataLoaderConfig {
        DataLoaderConfig(batchSize: batchSize, shuffle: true, augmentation: kind.trainingAugmentation, seed: seed)
    }

    /// In dataset order, no augmentation, every sample seen once.
    public static func evaluation(batchSize: Int) -> DataLoaderConfig {
        DataLoaderConfig(batchSize: batchSize)
    }
}
