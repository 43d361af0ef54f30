import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: N batch, C channels of an observed layer, M = values per channel and example (H*W, or 1).

/// First-order Taylor importance of feature maps (Molchanov et al., "Pruning Convolutional Neural Networks for
/// Resource Efficient Inference", ICLR 2017):
///
///     Theta(z_k) = | (1/M) sum_m dC/dz_{k,m} * z_{k,m} |   per example, then averaged over the batch,
///
/// accumulated over the batches seen since the last `reset()`, and averaged over them. z is the output of the
/// group's BatchNorms (of its producing conv/linear layers when it has none). For z -> ReLU (and max pooling)
/// sum_m z dC/dz equals sum_m a dC/da over the post-activation map a the next layer reads, so this is the
/// paper's criterion on the consumed activation. A unit sums Theta over its channels in a member and reduces
/// across members with `reduction`. Global ranking uses `ScoreNormalization.l2` (the paper's layer-wise L2).
///
/// How it observes z: while observing, `ForwardContext.layerOutputHook` multiplies each observed output, viewed as
/// [1, N*C, ...], by a gate of ones; after backward, gate gradient (n, c) is sum_m dC/dz_{n,c,m} z_{n,c,m}.
///
/// ```swift
/// let taylor = TaylorImportance()
/// try taylor.prepare(model: model, data: calibration)    // forward + backward on `batchLimit` batches
/// let scores = try taylor.scores(for: group, in: model)
/// ```
public final class TaylorImportance: Importance {
    /// How member scores combine.
    public var reduction: GroupReduction
    /// Batches `prepare` uses (all of the provider's when larger).
    public var batchLimit: Int
    /// Layer name -> per-channel sum over batches of the batch-mean Theta.
    public private(set) var sums: [String: [Double]] = [:]
    /// Batches accumulated since the last reset.
    public private(set) var batchCount = 0
    private var pending: [(name: String, gate: Variable, batch: Int, channels: Int, perChannel: Int)] = []

    /// A criterion that gathers statistics over `batchLimit` batches in `prepare`.
    public init(reduction: GroupReduction = .sum, batchLimit: Int = 10) {
        self.reduction = reduction
        self.batchLimit = batchLimit
    }

    /// "taylor".
    public var name: String { "taylor" }

    /// Forgets the statistics (after a pruning step: channels have changed).
    public func reset() {
        sums = [:]
        batchCount = 0
        pending = []
    }

    /// Layers observed for `graph`: each group's BatchNorms, or its producing layers when it has none.
    public static func observedLayers(of graph: DependencyGraph) -> Set<String> {
        Set(graph.groups.flatMap { group -> [String] in
            let norms = group.members.filter { $0.role == .batchNorm }
            return (norms.isEmpty ? group.members.filter { $0.role == .output } : norms).map(\.layerName)
        })
    }

    /// Installs the gating hook on `context` for the observed layers of `model` (replacing any other hook).
    public func observe(_ model: Model, on context: ForwardContext) throws {
        let observed = Self.observedLayers(of: try DependencyGraph(model: model))
        var names: [ObjectIdentifier: String] = [:]
        for name in observed { names[ObjectIdentifier(model.namedLayers[name]!)] = name }
        context.layerOutputHook = { [unowned self] layer, _, output in
            guard let name = names[ObjectIdentifier(layer)] else { return output }
            let shape = output.shape, (batch, channels) = (shape[0], shape[1])
            let gate = Variable(parameter: Tensor(repeating: 1, shape: [batch * channels]), name: "taylor.gate." + name)
            self.pending.append((name, gate, batch, channels, shape.dropFirst(2).reduce(1, *)))
            let gated = try multiplyChannels(try reshape(output, to: [1, batch * channels] + shape.dropFirst(2)), by: gate)
            return try reshape(gated, to: shape)
        }
    }

    /// Reads the gate gradients of the last backward pass into the sums (call once per batch, after backward).
    public func collect() {
        for (name, gate, batch, channels, perChannel) in pending {
            guard let gradient = gate.gradient?.scalars else { continue }
            var total = sums[name] ?? [Double](repeating: 0, count: channels)
            if total.count != channels { total = [Double](repeating: 0, count: channels) }
            for c in 0..<channels {
                var perExample = 0.0  // |(1/M) sum_m g z| per example, averaged over the batch
                for n in 0..<batch { perExample += abs(Double(gradient[n * channels + c]) / Double(perChannel)) }
                total[c] += perExample / Double(batch)
            }
            sums[name] = total
        }
        if !pending.isEmpty { batchCount += 1 }
        pending = []
    }

    /// Forward (training mode) and backward on up to `batchLimit` batches of `data`, without updating weights;
    /// parameter gradients are cleared afterwards. Throws if `data` is nil.
    public func prepare(model: Model, data: BatchProvider?) throws {
        guard let data else {
            throw PruneKitError.invalidArgument(operation: "taylor importance", message: "needs training batches to measure gradients")
        }
        let context = ForwardContext(training: true)
        try observe(model, on: context)
        var seen = 0
        try data.forEachBatch(epoch: 0, startingAt: 0) { _, images, labels in
            guard seen < batchLimit else { return }
            model.zeroGradients()
            try softmaxCrossEntropy(try model(Variable(images), context), labels: labels).backward()
            collect()
            seen += 1
        }
        model.zeroGradients()
    }

    /// Accumulated Theta per unit (summed over its channels), reduced over the observed members; throws
    /// without statistics.
    public func scores(for group: ChannelGroup, in model: Model) throws -> [Float]? {
        let norms = group.members.filter { $0.role == .batchNorm }
        let observed = norms.isEmpty ? group.members.filter { $0.role == .output } : norms
        var perMember: [[Float]] = []
        for member in observed {
            guard let sums = sums[member.layerName], batchCount > 0 else {
                throw PruneKitError.invalidArgument(operation: "taylor importance",
                                                    message: "no statistics for '\(member.layerName)'; run prepare (or observe + collect) first")
            }
            perMember.append(member.channels.map { channels in
                Float(channels.reduce(0.0) { $0 + sums[$1] } / Double(batchCount))
            })
        }
        return perMember.isEmpty ? nil : reduction.reduce(perMember)
    }
}
