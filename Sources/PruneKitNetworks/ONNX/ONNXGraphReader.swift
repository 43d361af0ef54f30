import PruneKitCore

/// Walks an ONNX graph in node order for `ONNXImport`, appending network nodes and state_dict tensors, and remembers
/// what each ONNX value holds (`ONNXValue`): a network node's output, a constant, or a partial pattern (a Slice
/// waiting for its Pad, a Pad waiting for its Gather) that becomes a node when something else reads it.
struct ONNXGraphReader {
    /// What an ONNX value holds. `channels` is C of a [C, H, W] map, nil for flat features.
    enum ONNXValue {
        /// The output of network node `node`.
        case node(String, channels: Int?)
        /// A GlobalAveragePool's output: network node `node` gives [C]; ONNX still has [N, C, 1, 1].
        case pooled(String)
        /// x[:, :, ::strides[0], ::strides[1]] of node `source` (nil: stride 1 on that axis so far).
        case sliced(String, channels: Int, strides: [Int])
        /// `before` / `after` zero channels added to node `source` read with `stride` (an option-A Pad or the first
        /// step of a scatter).
        case padded(String, channels: Int, before: Int, after: Int, stride: Int)
        /// Channel gather of a scatter's padded input: output channel c reads input channel `gather[c]`.
        case gathered(String, channels: Int, gather: [Int])
        /// Shape arithmetic of `x.view(x.size(0), -1)`: Shape of a computed value, its batch extent (a scalar, or a
        /// one-element vector after Unsqueeze or a Gather by [0]).
        case shape, batchSize, batchVector
    }

    let graph: ONNXGraph
    let source: String
    /// Initializers and Constant outputs by name.
    var constants: [String: ONNXTensor] = [:]
    /// ONNX value name -> what it holds.
    var values: [String: ONNXValue] = [:]
    /// How many nodes read each ONNX value.
    let readers: [String: Int]
    /// The network nodes so far.
    var nodes: [GraphNode] = []
    /// The state_dict so far.
    var tensors: [String: Tensor] = [:]
    /// Names taken by network nodes.
    var names = Set<String>()
    /// The ONNX node being translated and its index, for errors.
    var current: (node: ONNXNode, index: Int)?

    /// A reader of `graph`; adds the `input` node from the one graph input that is not an initializer.
    init(_ graph: ONNXGraph, source: String) throws {
        (self.graph, self.source) = (graph, source)
        for tensor in graph.initializers { constants[tensor.name] = tensor }
        var readers: [String: Int] = [:]
        for node in graph.nodes { for input in node.inputs where !input.isEmpty { readers[input, default: 0] += 1 } }
        self.readers = readers
        let inputs = graph.inputs.filter { constants[$0.name] == nil }
        guard inputs.count == 1, case let dimensions = inputs[0].dimensions, dimensions.count == 4,
              case let extents = dimensions.dropFirst().compactMap({ if case let .fixed(extent) = $0 { extent } else { nil } }),
              extents.count == 3 else {
            throw PruneKitError.invalidArgument(operation: "ONNX import", message: "\(source): expected one graph input of shape "
                                                + "[batch, C, H, W] with fixed C, H and W, found \(inputs.map { "\($0.name) \($0.dimensions)" })")
        }
        nodes = [GraphNode(name: "input", operation: .input(shape: extents), inputs: [])]
        names = ["input"]
        values[inputs[0].name] = .node("input", channels: extents[0])
    }

    /// Translates every ONNX node, then checks that the graph output is the last network node's.
    mutating func read() throws {
        for (index, node) in graph.nodes.enumerated() {
            current = (node, index)
            try translate(node)
        }
        current = nil
        guard graph.outputs.count == 1, let output = values[graph.outputs[0].name] else {
            throw importError("expected one graph output computed by the nodes, found \(graph.outputs.map(\.name))")
        }
        let last = try features(output, graph.outputs[0].name)
        if last != nodes.last!.name { nodes.append(GraphNode(name: unique("output"), operation: .dropout(probability: 0), inputs: [last])) }
    }

    // MARK: Reading operands

    /// The value named `name`; throws when no earlier node or initializer defines it.
    func value(_ name: String) throws -> ONNXValue {
        guard let value = values[name] else {
            if constants[name] != nil { throw nodeError("reads the constant '\(name)' where a computed tensor is expected") }
            throw nodeError("reads '\(name)', which no earlier node computes")
        }
        return value
    }

    /// The constant named `name` (an initializer or a Constant's output).
    func constant(_ name: String, _ role: String) throws -> ONNXTensor {
        guard let tensor = constants[name] else { throw nodeError("needs \(role) '\(name)' as an initializer or Constant") }
        return tensor
    }

    /// The float32 constant `name` as a tensor of `shape` (when given).
    func weight(_ name: String, _ role: String, shape: [Int]? = nil) throws -> Tensor {
        let tensor = try constant(name, role)
        guard case let .float(scalars) = tensor.elements else { throw nodeError("needs \(role) '\(name)' as float32, found int64") }
        if let shape, tensor.dimensions != shape {
            throw nodeError("needs \(role) '\(name)' of shape \(shape), found \(tensor.dimensions)")
        }
        return try Tensor(shape: tensor.dimensions, scalars: scalars)
    }

    /// The int64 constant `name`.
    func integers(_ name: String, _ role: String) throws -> [Int] {
        guard case let .int64(values) = try constant(name, role).elements else { throw nodeError("needs \(role) '\(name)' as int64") }
        return values
    }

    /// The network node holding a [C, H, W] map read by ONNX value `name`, and C (materialising a pending pattern).
    mutating func featureMap(_ name: String) throws -> (node: String, channels: Int) {
        _ = try materialise(name)
        guard case let .node(node, channels?) = values[name]! else {
            throw nodeError("reads '\(name)' as an [N, C, H, W] feature map, but it holds flat features")
        }
        return (node, channels)
    }

    /// The network node holding the [F] features read as ONNX value `name` ([N, F], or a global pool's [N, C, 1, 1]).
    mutating func features(_ value: ONNXValue, _ name: String) throws -> String {
        if case let .pooled(node) = value { return node }
        _ = try materialise(name)
        guard case let .node(node, nil) = values[name]! else { throw nodeError("reads '\(name)' as flat features, but it is a feature map") }
        return node
    }

    /// The network node read as ONNX value `name` and its channels (nil: flat), for shape-preserving operators.
    mutating func anyNode(_ name: String) throws -> (node: String, channels: Int?) {
        _ = try materialise(name)
        guard case let .node(node, channels) = values[name]! else { throw nodeError("cannot read '\(name)'") }
        return (node, channels)
    }

    /// Turns a pending pattern held by `name` into network nodes; returns the node holding the value.
    mutating func materialise(_ name: String) throws -> String {
        switch try value(name) {
        case let .node(node, _): return node
        case let .pooled(node):
            throw nodeError("reads the GlobalAveragePool output '\(name)' (node '\(node)'); only Flatten, Reshape [N, -1] and Gemm may read it")
        case let .sliced(node, channels, strides):
            return try appendChannelPad(name, node, channels: channels, before: 0, after: 0, strides: strides)
        case let .padded(node, channels, before, after, stride):
            return try appendChannelPad(name, node, channels: channels, before: before, after: after, strides: [stride, stride])
        case .gathered:
            throw nodeError("reads the Gather output '\(name)'; a channel scatter's Gather must be followed by Add of a constant fill")
        case .shape, .batchSize, .batchVector:
            throw nodeError("reads the shape arithmetic '\(name)' as a tensor; supported: x.view(x.size(0), -1) feeding a Reshape")
        }
    }

    /// The option-A pad node for a pending Slice/Pad (PruneKit puts (OC - C) / 2 zero channels first).
    private mutating func appendChannelPad(_ name: String, _ node: String, channels: Int, before: Int, after: Int,
                                           strides: [Int]) throws -> String {
        guard strides[0] == strides[1], before == (before + after) / 2 else {
            throw nodeError("slices H and W with steps \(strides) and pads \(before) + \(after) channels; supported: equal steps and "
                            + "⌊extra / 2⌋ zero channels first (ResNet option A)")
        }
        let padded = append(name, .channelPad(outputChannels: channels + before + after, stride: strides[0]), [node])
        values[name] = .node(padded, channels: channels + before + after)
        return padded
    }

    // MARK: Writing nodes

    /// Appends a network node named after `suggestion` (made unique) reading `inputs`; returns its name.
    @discardableResult
    mutating func append(_ suggestion: String, _ operation: GraphOperation, _ inputs: [String]) -> String {
        let name = unique(suggestion)
        nodes.append(GraphNode(name: name, operation: operation, inputs: inputs))
        return name
    }

    /// `name`, or `name_2`, `name_3`, ... when taken; an empty name becomes "node".
    mutating func unique(_ name: String) -> String {
        let base = name.isEmpty ? "node" : name
        var candidate = base, suffix = 2
        while names.contains(candidate) { candidate = "\(base)_\(suffix)"; suffix += 1 }
        names.insert(candidate)
        return candidate
    }

    // MARK: Errors

    /// An error about the file.
    func importError(_ message: String) -> PruneKitError {
        .invalidArgument(operation: "ONNX import", message: "\(source): \(message)")
    }

    /// An error naming the current ONNX node (name, index, operator).
    func nodeError(_ message: String) -> PruneKitError {
        guard let current else { return importError(message) }
        return importError("node '\(current.node.name)' (index \(current.index), \(current.node.operatorType)) \(message)")
    }
}
