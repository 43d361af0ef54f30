import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Collects `FilterCurvature` (im2col A, S, diagonal Fisher F) of chosen convolutions over one `FisherPass`, the same
/// loop EigenDamage's `KroneckerFactorCollector` runs (evaluation mode, true Fisher with sampled labels by default,
/// batch-mean cross-entropy; eigendamage.md "Parameter-coordinate baselines").
///
/// ```swift
/// let collector = FilterCurvatureCollector(layers: [("layer1.0.conv1", conv)])
/// try collector.collect(model: model, batches: trainLoader, batchLimit: 4, labels: .sampled, seed: 1)
/// let averaged = collector.curvatures["layer1.0.conv1"]!.averaged
/// ```
public final class FilterCurvatureCollector {
    /// Observed layers: the graph node's name and its convolution.
    public let layers: [(name: String, convolution: Conv2d)]
    /// The statistics so far (summed over batches), by layer name.
    public private(set) var curvatures: [String: FilterCurvature] = [:]

    /// A collector for `layers`.
    public init(layers: [(name: String, convolution: Conv2d)]) {
        self.layers = layers
        for (name, convolution) in layers { curvatures[name] = FilterCurvature(convolution: convolution) }
    }

    /// One pass over `batches` (at most `batchLimit` when given); `progress(done, total)` after each batch.
    public func collect(model: Model, batches: BatchProvider, batchLimit: Int?, labels: FisherLabels, seed: UInt64,
                        progress: (Int, Int) -> Void = { _, _ in }) throws {
        let pass = FisherPass(layers: layers, labels: labels, seed: seed)
        try pass.run(model: model, batches: batches, batchLimit: batchLimit, progress: progress) { observation in
            try curvatures[observation.name]!.accumulate(input: observation.input, outputGradient: observation.outputGradient,
                                                         convolution: observation.convolution)
        }
    }
}
