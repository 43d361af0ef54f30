import PruneKitCore

/// One mini-batch from a `DataLoader`: normalised images and their labels.
///
/// `images` is Float32 [count, channels, height, width] (NCHW), already augmented and normalised;
/// `labels[i]` is the class of image i and `indices[i]` its position in the dataset (for debugging and
/// for checking that a resumed run sees the same samples).
///
/// ```swift
/// for batch in try loader.batches(epoch: 0) {
///     let logits = model(batch.images)          // [B, classes]
///     loss = crossEntropy(logits, batch.labels)
/// }
/// ```
public struct Batch {
    /// [count, channels, height, width] normalised Float32 pixels.
    public let images: Tensor
    /// One class index per image.
    public let labels: [Int]
    /// Dataset index of each image.
    public let indices: [Int]

    /// Number of images (the last batch of an epoch may be smaller than the batch size).
    public var count: Int { labels.count }
}
