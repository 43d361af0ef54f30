import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Collects EigenDamage's K-FAC factors (`KroneckerFactors`) of chosen convolutions over a pass through training
/// batches (Wang et al., ICML 2019; official `kfac_eigen_pruner.py`, eigendamage.md "K-FAC factors"). The loop is
/// `FisherPass` (evaluation mode, true Fisher by default, mean cross-entropy, backward); after each backward this adds
/// the input's patch-mode A contribution (`PatchCovariance`, on the conv input before its padding) and, from the
/// gradient of the conv output (before batch norm), the S contribution (`OutputGradientCovariance`).
///
/// ```swift
/// let collector = KroneckerFactorCollector(layers: [("layer1.0.conv1", conv)], includesBias: false)
/// try collector.collect(model: model, batches: trainLoader, batchLimit: nil, labels: .sampled, seed: 1)
/// let factors = collector.factors["layer1.0.conv1"]!
/// ```
public final class KroneckerFactorCollector {
    /// Observed layers: a name (the graph node's) and the convolution whose input and output are observed (the node's
    /// own, or the core of a factorised node).
    public let layers: [(name: String, convolution: Conv2d)]
    /// Whether A gets the bias column (1/T) for convolutions with a bias.
    public let includesBias: Bool
    /// The factors so far, by layer name.
    public private(set) var factors: [String: KroneckerFactors] = [:]
    /// Images seen so far.
    public private(set) var images = 0

    /// A collector for `layers` (the bias column only with `includesBias`, for layers that have a bias).
    public init(layers: [(name: String, convolution: Conv2d)], includesBias: Bool) {
        (self.layers, self.includesBias) = (layers, includesBias)
        for (name, convolution) in layers {
            factors[name] = KroneckerFactors(inputSize: convolution.inputChannels + (includesBias && convolution.bias != nil ? 1 : 0),
                                             outputSize: convolution.outputChannels)
        }
    }

    /// One pass over `batches` (at most `batchLimit` batches when given); `progress(done, total)` after each batch.
    public func collect(model: Model, batches: BatchProvider, batchLimit: Int?, labels: FisherLabels, seed: UInt64,
                        progress: (Int, Int) -> Void = { _, _ in }) throws {
        let pass = FisherPass(layers: layers, labels: labels, seed: seed)
        images += try pass.run(model: model, batches: batches, batchLimit: batchLimit, progress: progress) { try absorb($0) }
    }

    /// A from the layer's input; S from its output gradient, when the output reached the loss.
    private func absorb(_ observation: FisherPass.Observation) throws {
        let (name, convolution) = (observation.name, observation.convolution)
        try PatchCovariance.accumulate(observation.input, kernelSize: convolution.kernelSize, stride: convolution.stride,
                                       padding: convolution.padding, includesBias: factors[name]!.inputSize > convolution.inputChannels,
                                       into: &factors[name]!.input)
        guard let gradient = observation.outputGradient else { return }
        try OutputGradientCovariance.accumulate(gradient, into: &factors[name]!.output)
        factors[name]!.batches += 1
    }
}
