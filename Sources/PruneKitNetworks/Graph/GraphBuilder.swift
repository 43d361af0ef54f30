import PruneKitCore

/// Appends nodes to a graph one after another, each reading the previous node unless told otherwise; the zoo's
/// family builders are written with it (`ResNet.makeGraph`, ...).
///
/// ```swift
/// var builder = GraphBuilder(inputShape: [3, 32, 32])
/// builder.convolution("conv1", out: 16, kernel: 3, padding: 1)
/// builder.batchNorm("bn1"); builder.relu("relu")
/// let graph = builder.graph
/// ```
public struct GraphBuilder {
    /// The nodes so far.
    public private(set) var nodes: [GraphNode]
    /// The node the next one reads by default (the last appended).
    public var current: String

    /// A builder holding the `input` node of per-image shape `inputShape`.
    public init(inputShape: [Int]) {
        nodes = [GraphNode(name: "input", operation: .input(shape: inputShape), inputs: [])]
        current = "input"
    }

    /// The graph built so far.
    public var graph: NetworkGraph { NetworkGraph(nodes: nodes) }

    /// Appends a node reading `inputs` (default: `current`) and makes it current; returns its name.
    @discardableResult
    public mutating func append(_ name: String, _ operation: GraphOperation, inputs: [String]? = nil, group: String? = nil) -> String {
        nodes.append(GraphNode(name: name, operation: operation, inputs: inputs ?? [current], group: group))
        current = name
        return name
    }

    /// A convolution node.
    @discardableResult
    public mutating func convolution(_ name: String, out: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = false,
                                     group: String? = nil, from input: String? = nil) -> String {
        append(name, .convolution(.init(outputChannels: out, kernelSize: kernel, stride: stride, padding: padding, bias: bias)),
               inputs: input.map { [$0] }, group: group)
    }

    /// A linear node.
    @discardableResult
    public mutating func linear(_ name: String, out: Int, bias: Bool = true, group: String? = nil) -> String {
        append(name, .linear(.init(outputFeatures: out, bias: bias)), group: group)
    }

    /// A batch-norm node.
    @discardableResult
    public mutating func batchNorm(_ name: String, from input: String? = nil) -> String {
        append(name, .batchNorm, inputs: input.map { [$0] })
    }

    /// A ReLU node.
    @discardableResult
    public mutating func relu(_ name: String) -> String { append(name, .relu) }
}
