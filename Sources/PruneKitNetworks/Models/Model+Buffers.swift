import PruneKitCore

/// Copying the state that is not a parameter: BatchNorm running statistics (with momentum and epsilon) and channel
/// scatter fills.
extension Model {
    /// For every BatchNorm and ChannelScatter of this model whose namesake in `source` has the same width, takes over
    /// `source`'s buffers (running mean and variance, batch count, momentum, epsilon; the fill). Layers without a
    /// namesake of that width keep theirs. Used by `copy()` and by structural edits, which rebuild a model and carry
    /// every surviving tensor over by name.
    package func copyBuffers(from source: Model) {
        for name in layerNames {
            switch (namedLayers[name], source.namedLayers[name]) {
            case let (target as BatchNorm, original as BatchNorm) where original.channels == target.channels:
                target.statistics.runningMean = original.statistics.runningMean
                target.statistics.runningVariance = original.statistics.runningVariance
                target.statistics.batchesTracked = original.statistics.batchesTracked
                (target.momentum, target.epsilon) = (original.momentum, original.epsilon)
            case let (target as ChannelScatter, original as ChannelScatter) where original.fill.shape == target.fill.shape:
                target.fill = original.fill
            default:
                continue
            }
        }
    }
}
