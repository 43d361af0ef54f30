import PruneKitCore

/// A network built from a `ModelSpec`: its root layers in PyTorch registration order, so that `parameters`
/// (and `stateDictionaryKeys`) come out in state_dict order with models.py's names (`layer1.0.conv1.weight`).
/// Models hold no pruning code (STYLE.md rule 7); pruning edits the layers' tensors in place and
/// `currentSpec()` reads the widths back.
///
/// Shape contract: input [N] + `spec.inputShape`, output logits [N, `spec.classCount`].
/// Initialisation follows models.py per family (see `LayerFactory`), drawn from `SplitMix64(seed:)`: the same
/// spec and seed give identical weights.
///
/// ```swift
/// let model = try Model(spec: ModelZoo.spec(named: "resnet20"), seed: 42)
/// let logits = try model(Variable(images), ForwardContext(training: false))   // [N, 3, 32, 32] -> [N, 10]
/// let conv = model.namedLayers["layer1.0.conv1"] as? Conv2d
/// ```
public final class Model: Layer {
    /// The spec the model was built from (its widths go stale once pruning edits the layers: see `currentSpec()`).
    public private(set) var spec: ModelSpec
    /// The network's graph at build time (`spec.networkGraph()`); `currentGraph()` reads the live widths.
    public private(set) var graph: NetworkGraph
    /// Parameterised layers (Conv2d, FactorisedConv2d, BatchNorm, Linear) and buffered ones (ChannelScatter), one per
    /// graph node, in node order.
    public private(set) var children: [Layer]
    /// Dotted module name of every Conv2d, Linear and BatchNorm, in state_dict order.
    public private(set) var layerNames: [String]
    /// Dotted module name -> layer, for every Conv2d, Linear and BatchNorm (`conv1`, `layer2.0.downsample.0`).
    public private(set) var namedLayers: [String: Layer]
    /// The geometry the layers were built from (names, kinds, which width entry sets each output).
    private(set) var geometry: [LayerCost]
    /// The compiled forward pass.
    private(set) var execution: GraphExecution
    /// The largest single buffer of a forward pass per image, for `checkForwardMemory` (computed once here, not
    /// on every pass).
    private(set) var largestBufferPerImage: (layer: String, elements: Int)

    /// Validates `spec` (including `ModelLimits`) and builds its graph, initialised from `seed` in node order. Throws
    /// the spec's error, or `allocationFailed` naming the tensor when its memory cannot be had (never a trap).
    public init(spec: ModelSpec, seed: UInt64) throws {
        let geometry = try spec.validatedGeometry()
        let graph = try spec.networkGraph()
        var factory = LayerFactory(geometry: geometry, weightInitialization: spec.family.architecture.weightInitialization, seed: seed)
        let roots = try Model.makeLayers(graph, using: &factory)
        let named = roots.flatMap(\.allLayers).compactMap { layer in Model.moduleName(of: layer).map { ($0, layer) } }
        guard named.map(\.0) == geometry.map(\.name) else {
            throw PruneKitError.invalidArgument(operation: "model builder \(spec.name)",
                                                message: "built layers \(named.map(\.0)) differ from the recorded geometry")
        }
        self.spec = spec
        self.graph = graph
        self.geometry = geometry
        largestBufferPerImage = Model.largestBuffer(spec: spec, geometry: geometry)
        children = roots
        layerNames = named.map(\.0)
        namedLayers = Dictionary(uniqueKeysWithValues: named)
        execution = try GraphExecution(graph: graph, layers: Dictionary(uniqueKeysWithValues: zip(graph.parameterisedNodeNames, roots)))
        try refreshSparsityMasks()
    }

    /// The layers of the graph's parameterised nodes, drawn from the factory in node order; a convolution with a
    /// columns record gets its `columns` (the weights are masked by `refreshSparsityMasks`).
    private static func makeLayers(_ graph: NetworkGraph, using factory: inout LayerFactory) throws -> [Layer] {
        var layers: [Layer] = []
        for node in graph.nodes {
            switch node.operation {
            case let .convolution(attributes):
                let convolution = try factory.convolution(node.name)
                if case let .columns(kept) = attributes.sparsity {
                    convolution.columns = try ConvolutionColumns(kept: kept, channels: convolution.inputChannels,
                                                                 kernelArea: convolution.kernelSize * convolution.kernelSize)
                }
                layers.append(convolution)
            case .factorisedConvolution:
                let parts = try FactorisedConvolutionAttributes.partNames.map { try factory.convolution(node.name + "." + $0) }
                layers.append(FactorisedConv2d(rotationIn: parts[0], core: parts[1], rotationOut: parts[2]))
            case .linear:
                layers.append(try factory.linear(node.name))
            case .batchNorm:
                layers.append(try factory.batchNorm(node.name))
            case let .channelScatter(_, indices):
                layers.append(try factory.channelScatter(node.name, indices: indices))
            default:
                continue
            }
        }
        return layers
    }

    /// Makes this model `other`'s architecture, in place: spec, graph, layers (taken over, not copied: `other` shares
    /// them afterwards and should be dropped) and compiled forward pass. For architecture changes that cannot narrow
    /// tensors in place, such as removing a residual block (BPCP): everyone holding this model (a pipeline's caller,
    /// the CLI writing the checkpoint) sees the new network. Optimizer state keyed by parameter name goes stale for
    /// tensors that changed; callers start a fresh optimizer.
    ///
    /// ```swift
    /// model.replaceArchitecture(with: try StructuralSurgery.removeResidualBlock(joinedAt: "layer1.2.add", from: model))
    /// ```
    public func replaceArchitecture(with other: Model) {
        (spec, graph, children, layerNames, namedLayers) = (other.spec, other.graph, other.children, other.layerNames, other.namedLayers)
        (geometry, execution, largestBufferPerImage) = (other.geometry, other.execution, other.largestBufferPerImage)
    }

    /// The forward pass; throws `shapeMismatch` unless the input is [N] + `spec.inputShape`, and
    /// `allocationFailed` when one of its buffers at this batch size could not fit in memory (`checkForwardMemory`).
    public func forward(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        guard input.shape.count == spec.inputShape.count + 1, Array(input.shape.dropFirst()) == spec.inputShape else {
            throw PruneKitError.shapeMismatch(operation: "model \(spec.name)", expected: "input [N] + \(spec.inputShape)",
                                              found: "\(input.shape)")
        }
        try checkForwardMemory(batchSize: input.shape[0])
        if splitsBatchAcrossThreads(input, context) {
            return try forwardPerThread(input, context) { try execution.run($0, context) }
        }
        return try execution.run(input, context)
    }

    /// Same as `forward`.
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try forward(input, context)
    }

    /// PyTorch state_dict keys in order: per module, `weight` and `bias`, and for BatchNorm also the buffers
    /// `running_mean`, `running_var`, `num_batches_tracked`; for a channel scatter its buffer `fill`.
    public var stateDictionaryKeys: [String] {
        layerNames.flatMap { name -> [String] in
            let layer = namedLayers[name]!
            let parameters = layer.ownParameters.map(\.name)
            if layer is ChannelScatter { return [name + ".fill"] }
            guard layer is BatchNorm else { return parameters }
            return parameters + ["running_mean", "running_var", "num_batches_tracked"].map { name + "." + $0 }
        }
    }

    /// Analytic cost at the widths the layers hold now (`ModelCost(spec: currentSpec())`).
    public func cost() throws -> ModelCost {
        try ModelCost(spec: currentSpec())
    }

    /// The module name of a Conv2d, Linear or BatchNorm, read from its parameter names; nil for other layers.
    static func moduleName(of layer: Layer) -> String? {
        switch layer {
        case let batchNorm as BatchNorm: return batchNorm.name
        case let convolution as Conv2d: return String(convolution.weight.name.dropLast(".weight".count))
        case let linear as Linear: return String(linear.weight.name.dropLast(".weight".count))
        case let scatter as ChannelScatter: return scatter.name
        default: return nil
        }
    }
}
