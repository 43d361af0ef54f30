import PruneKitCore

/// Builds the ONNX graph of one `ONNXExport`: walks the network graph in order, appending operators and initializers,
/// and remembers which ONNX value holds each network node's output (a dropout or a folded batch norm adds no operator:
/// its node's value is its input's).
struct ONNXGraphWriter {
    let export: ONNXExport
    /// Per-image output shape of every network node ([C, H, W] or [F]).
    let shapes: [[Int]]
    /// Input node indices of every network node.
    let inputs: [[Int]]
    /// The batch norm folded into each producer (by producer name), when folding.
    private(set) var foldings: [String: BatchNormFolding] = [:]
    /// ONNX operators so far.
    var nodes: [ONNXNode] = []
    /// ONNX initializers so far.
    var initializers: [ONNXTensor] = []
    /// Network node name -> name of the ONNX value holding its output.
    var values: [String: String] = [:]

    /// The name of the graph output.
    static let outputName = "logits"

    /// A writer for `export`; throws when the graph is invalid or a folded batch norm's tensors are missing.
    init(_ export: ONNXExport) throws {
        self.export = export
        shapes = try export.graph.inferShapes()
        inputs = export.graph.inputIndices()
        if export.options.foldBatchNorm { foldings = try Self.foldings(export, inputs) }
    }

    /// The foldings of batch norms whose producer (conv, factorised conv or linear) feeds nothing else.
    private static func foldings(_ export: ONNXExport, _ inputs: [[Int]]) throws -> [String: BatchNormFolding] {
        let graph = export.graph, consumers = graph.consumers()
        var result: [String: BatchNormFolding] = [:]
        for (index, node) in graph.nodes.enumerated() where node.operation == .batchNorm {
            let producer = inputs[index][0]
            guard consumers[producer] == [index], graph.nodes[producer].operation.isFoldable else { continue }
            let tensor = { try export.tensor($0, of: node) }
            let statistics = BatchNormStatistics(runningMean: try tensor("running_mean"), runningVariance: try tensor("running_var"))
            result[graph.nodes[producer].name] = BatchNormFolding(scale: try tensor("weight"), shift: try tensor("bias"),
                                                                  statistics: statistics, epsilon: export.epsilon(of: node))
        }
        return result
    }

    /// Whether the batch norm at `index` is folded into its producer.
    func isFolded(_ index: Int) -> Bool {
        foldings[export.graph.nodes[inputs[index][0]].name] != nil
    }

    /// Translates every node and returns the graph.
    mutating func write() throws -> ONNXGraph {
        let graph = export.graph
        for (index, node) in graph.nodes.enumerated() {
            let output = index == graph.nodes.count - 1 ? Self.outputName : node.name
            try write(node, index, to: output)
        }
        let last = values[graph.nodes.last!.name]!
        if last != Self.outputName {  // the last node added no operator (dropout, folded batch norm)
            append("Identity", Self.outputName, [last], Self.outputName)
        }
        let input = ONNXValueInfo(name: "input", dimensions: [.symbolic("batch")] + graph.inputShape.map { .fixed($0) })
        let output = ONNXValueInfo(name: Self.outputName, dimensions: [.symbolic("batch"), .fixed(shapes.last![0])])
        return ONNXGraph(name: "PruneKit", nodes: nodes, initializers: initializers, inputs: [input], outputs: [output])
    }

    /// Appends operator `type` named `name` reading `inputs` and writing `output`; returns `output`.
    @discardableResult
    mutating func append(_ type: String, _ name: String, _ inputs: [String], _ output: String,
                         _ attributes: [ONNXAttribute] = []) -> String {
        nodes.append(ONNXNode(name: name, operatorType: type, inputs: inputs, outputs: [output], attributes: attributes))
        return output
    }

    /// Appends a float32 initializer; returns its name.
    @discardableResult
    mutating func constant(_ name: String, _ shape: [Int], _ values: [Float]) -> String {
        initializers.append(ONNXTensor(name: name, dimensions: shape, floats: values))
        return name
    }

    /// Appends a float32 initializer holding `tensor`; returns its name.
    mutating func constant(_ name: String, _ tensor: Tensor) -> String { constant(name, tensor.shape, tensor.scalars) }

    /// Appends an int64 initializer of shape [count]; returns its name.
    @discardableResult
    mutating func constant(_ name: String, integers values: [Int]) -> String {
        initializers.append(ONNXTensor(name: name, dimensions: [values.count], integers: values))
        return name
    }
}

extension ONNXExport {
    /// State_dict tensor `node.name + "." + suffix`; throws naming the node when it is missing.
    func tensor(_ suffix: String, of node: GraphNode, module: String? = nil) throws -> Tensor {
        let key = (module ?? node.name) + "." + suffix
        guard let tensor = tensors[key] else {
            throw PruneKitError.invalidArgument(operation: "ONNX export",
                                                message: "node '\(node.name)' (\(node.operation.jsonName)) needs the tensor '\(key)', which the state_dict lacks")
        }
        return tensor
    }

    /// The epsilon of batch norm `node`.
    func epsilon(of node: GraphNode) -> Float { batchNormEpsilons[node.name] ?? 1e-5 }
}

extension GraphOperation {
    /// Whether a following batch norm can be folded into this node's weight and bias (conv, factorised conv, linear).
    var isFoldable: Bool {
        switch self {
        case .convolution, .factorisedConvolution, .linear: return true
        default: return false
        }
    }
}
