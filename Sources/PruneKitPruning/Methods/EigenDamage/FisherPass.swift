import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: N batch, K classes.

/// One pass of Fisher statistics over training batches, the loop every K-FAC-based method shares (Wang et al., ICML
/// 2019; eigendamage.md "K-FAC factors" 1): the model in evaluation mode (batch norm on running statistics), each batch
/// forwarded, labels drawn from softmax(logits) (true Fisher; `FisherLabels.empirical` uses the data's), loss = mean
/// cross-entropy, backward. A `layerOutputHook` keeps each observed convolution's input (before its padding) and adds a
/// zero probe to its output (before batch norm), whose gradient after backward is dLoss/d(output). After every backward
/// `absorb` receives one `Observation` per observed layer; what it accumulates is the caller's (EigenDamage's patch
/// factors, `KroneckerFactorCollector`; the parameter-coordinate baselines' im2col factors and diagonal Fisher,
/// `FilterCurvatureCollector`). Parameters are frozen during the pass (no parameter gradients); no weight changes.
///
/// ```swift
/// let pass = FisherPass(layers: [("layer1.0.conv1", conv)], labels: .sampled, seed: 1)
/// try pass.run(model: model, batches: trainLoader, batchLimit: 10) { observation in
///     print(observation.name, observation.input.shape, observation.outputGradient?.shape ?? [])
/// }
/// ```
public struct FisherPass {
    /// What one observed layer saw in one batch.
    public struct Observation {
        /// The layer's name (the graph node's).
        public let name: String
        /// The observed convolution.
        public let convolution: Conv2d
        /// Its input [N, C, H, W], before padding.
        public let input: Tensor
        /// dLoss/d(output) [N, OC, OH, OW] for the batch-mean loss; nil when the output did not reach the loss.
        public let outputGradient: Tensor?
    }

    /// Observed layers: a name and the convolution whose input and output are observed.
    public let layers: [(name: String, convolution: Conv2d)]
    /// Labels of the backward pass.
    public let labels: FisherLabels
    /// Seed of the sampled labels.
    public let seed: UInt64

    /// A pass over `layers` with `labels` drawn from `seed`.
    public init(layers: [(name: String, convolution: Conv2d)], labels: FisherLabels, seed: UInt64) {
        (self.layers, self.labels, self.seed) = (layers, labels, seed)
    }

    /// One pass over `batches` (at most `batchLimit` batches when given); `absorb` after each backward, then
    /// `progress(done, total)`. Returns the number of images seen.
    @discardableResult
    public func run(model: Model, batches: BatchProvider, batchLimit: Int?, progress: (Int, Int) -> Void = { _, _ in },
                    absorb: (Observation) throws -> Void) throws -> Int {
        let context = ForwardContext(training: false)
        var pending: [(layer: Int, input: Tensor, probe: Variable)] = []
        let observed = Dictionary(uniqueKeysWithValues: layers.enumerated().map { (ObjectIdentifier($0.element.convolution), $0.offset) })
        context.layerOutputHook = { layer, input, output in
            guard let index = observed[ObjectIdentifier(layer)] else { return output }
            let probe = Variable(parameter: Tensor(zeros: output.shape), name: "fisher.probe." + layers[index].name)
            pending.append((index, input.value, probe))
            return try add(output, probe)
        }
        var generator = SplitMix64(seed: seed)
        let total = min(batches.batchCount, batchLimit ?? Int.max)
        var (done, images) = (0, 0)
        // Only the probes' gradients are read: frozen parameters spare the weight gradients and, before the first
        // observed layer, the whole backward.
        let parameters = model.parameters, required = parameters.map(\.requiresGradient)
        for parameter in parameters { parameter.requiresGradient = false }
        defer {
            for (parameter, flag) in zip(parameters, required) { parameter.requiresGradient = flag }
            model.zeroGradients()
        }
        try batches.forEachBatch(epoch: 0, startingAt: 0) { _, batch, trueLabels in
            guard done < total else { return }
            pending = []
            let logits = try model(Variable(batch), context)
            let targets = labels == .empirical ? trueLabels : Self.sampledLabels(logits.value, generator: &generator)
            try softmaxCrossEntropy(logits, labels: targets).backward()
            for (index, input, probe) in pending {
                try absorb(Observation(name: layers[index].name, convolution: layers[index].convolution, input: input,
                                       outputGradient: probe.gradient))
            }
            pending = []
            images += trueLabels.count
            done += 1
            progress(done, total)
        }
        return images
    }

    /// A `progress` that logs "`label`: batch done/total" to `session` every tenth of the pass and at its end.
    public static func progressLog(_ session: PruningSession, label: String) -> (Int, Int) -> Void {
        { done, total in
            if done == total || (total >= 10 && done % (total / 10) == 0) { session.log("\(label): batch \(done)/\(total)") }
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
