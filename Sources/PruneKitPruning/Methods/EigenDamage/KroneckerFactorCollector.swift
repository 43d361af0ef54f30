import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: N batch, K classes.

/// Collects EigenDamage's K-FAC factors (`KroneckerFactors`) of chosen convolutions over a pass through training
/// batches (Wang et al., ICML 2019; official `kfac_eigen_pruner.py`, eigendamage.md "K-FAC factors"): the model in
/// evaluation mode (batch norm on running statistics), each batch forwarded, labels drawn from softmax(logits)
/// (true Fisher; `FisherLabels.empirical` uses the data's), loss = mean cross-entropy, backward. A `layerOutputHook`
/// adds the input's patch-mode A contribution (`PatchCovariance`, on the conv input before its padding) and adds a
/// zero probe to the conv output (before batch norm), whose gradient after backward is dLoss/d(output) for S
/// (`OutputGradientCovariance`). Parameter gradients are cleared after every batch; no weight changes.
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
    private var pending: [(name: String, probe: Variable)] = []

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
        let context = ForwardContext(training: false)
        context.layerOutputHook = hook()
        var generator = SplitMix64(seed: seed)
        let total = min(batches.batchCount, batchLimit ?? Int.max)
        var done = 0
        defer { model.zeroGradients() }
        try batches.forEachBatch(epoch: 0, startingAt: 0) { _, images, trueLabels in
            guard done < total else { return }
            model.zeroGradients()
            let logits = try model(Variable(images), context)
            let targets = labels == .empirical ? trueLabels : Self.sampledLabels(logits.value, generator: &generator)
            try softmaxCrossEntropy(logits, labels: targets).backward()
            try absorbGradients()
            self.images += trueLabels.count
            done += 1
            progress(done, total)
        }
    }

    /// The hook: A from the input now, a zero probe on the output for S after backward.
    private func hook() -> (Layer, Variable, Variable) throws -> Variable {
        let observed = Dictionary(uniqueKeysWithValues: layers.map { (ObjectIdentifier($0.convolution), $0) })
        return { [unowned self] layer, input, output in
            guard let (name, convolution) = observed[ObjectIdentifier(layer)] else { return output }
            try PatchCovariance.accumulate(input.value, kernelSize: convolution.kernelSize, stride: convolution.stride,
                                           padding: convolution.padding, includesBias: factors[name]!.inputSize > convolution.inputChannels,
                                           into: &factors[name]!.input)
            let probe = Variable(parameter: Tensor(zeros: output.shape), name: "eigendamage.probe." + name)
            pending.append((name, probe))
            return try add(output, probe)
        }
    }

    /// S from the probes of the last backward pass.
    private func absorbGradients() throws {
        defer { pending = [] }
        for (name, probe) in pending {
            guard let gradient = probe.gradient else { continue }  // the output did not reach the loss
            try OutputGradientCovariance.accumulate(gradient, into: &factors[name]!.output)
            factors[name]!.batches += 1
        }
    }

    /// One label per row of `logits` [N, K], drawn from softmax(row) by inverse transform sampling.
    static func sampledLabels(_ logits: Tensor, generator: inout SplitMix64) -> [Int] {
        let (rows, classes) = (logits.shape[0], logits.shape[1]), values = logits.scalars
        return (0..<rows).map { row in
            let slice = values[(row * classes)..<((row + 1) * classes)].map(Double.init)
            let largest = slice.max() ?? 0
            let weights = slice.map { exp($0 - largest) }
            var threshold = Double(generator.nextUniform()) * weights.reduce(0, +)
            for (label, weight) in weights.enumerated() {
                threshold -= weight
                if threshold < 0 { return label }
            }
            return classes - 1
        }
    }
}
