import PruneKitCore

/// A network as a graph of typed nodes (`GraphNode`), listed in a topological order: every node's inputs come
/// before it. The first node is the `input`, the last is the output (logits [classes]). Parameterised nodes are
/// listed in PyTorch registration order, so their tensors come out in state_dict order.
///
/// Every zoo family is a graph builder (`ModelSpec.networkGraph()`), and a user's own architecture is a JSON file of
/// nodes (`{"nodes": [...]}`, see `GraphNode`'s coding). Coupled channels, costs and structural edits are derived
/// from the graph, never from a family name: a residual stream is the set of producers feeding one `add`.
///
/// Shape contract: input [N] + `inputShape`, output [N, `outputShape[0]`].
///
/// ```swift
/// let graph = try ModelZoo.spec(named: "resnet20").networkGraph()
/// graph.nodes.count                       // 69
/// try graph.layerCosts().count            // 41 Conv2d, BatchNorm and Linear records, as ModelCost lists them
/// ```
public struct NetworkGraph: Codable, Equatable, Sendable {
    /// The nodes, input first, output last, each after its inputs.
    public var nodes: [GraphNode]

    /// A graph of `nodes`; `validate()` checks it.
    public init(nodes: [GraphNode]) { self.nodes = nodes }

    /// The node called `name`, if any.
    public func node(named name: String) -> GraphNode? { nodes.first { $0.name == name } }

    /// The index of the node called `name`, if any.
    public func index(of name: String) -> Int? { nodes.firstIndex { $0.name == name } }

    /// Per-image input shape (the `input` node's); empty for a graph without one.
    public var inputShape: [Int] {
        if case let .input(shape) = nodes.first?.operation { return shape }
        return []
    }

    /// For every node, the indices of the nodes that read it, in graph order.
    public func consumers() -> [[Int]] {
        let positions = Dictionary(nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for input in node.inputs { if let source = positions[input] { result[source].append(index) } }
        }
        return result
    }

    /// Input node indices of every node (valid after `validateStructure()`).
    public func inputIndices() -> [[Int]] {
        let positions = Dictionary(nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        return nodes.map { $0.inputs.compactMap { positions[$0] } }
    }

    /// Throws naming the node unless: the graph has between 2 and `ModelLimits.maximumNodeCount` nodes; the first
    /// is the only `input`; names are unique and non-empty; each input names an earlier node; arity is right (no
    /// input for `input`, two or more for `add`, one otherwise); every node but the last is read.
    public func validateStructure() throws {
        guard nodes.count >= 2, nodes.count <= ModelLimits.maximumNodeCount else {
            throw graphError("a graph needs an input node and at least one more, and at most \(ModelLimits.maximumNodeCount) nodes; found \(nodes.count)")
        }
        var seen = Set<String>()
        for (index, node) in nodes.enumerated() {
            guard !node.name.isEmpty else { throw graphError("node \(index) has an empty name") }
            guard seen.insert(node.name).inserted else { throw graphError("two nodes are called '\(node.name)'") }
            if case .input = node.operation {
                guard index == 0 else { throw graphError("node '\(node.name)' is an input but not the first node; a graph has one input, first") }
            } else if index == 0 {
                throw graphError("the first node '\(node.name)' must be the input (op \"input\"), found \(node.operation.jsonName)")
            }
            let arity: ClosedRange<Int> = index == 0 ? 0...0 : (node.operation == .add ? 2...Int.max : 1...1)
            guard arity.contains(node.inputs.count) else {
                throw graphError("node '\(node.name)' (\(node.operation.jsonName)) reads \(node.inputs.count) inputs; it takes "
                                 + (node.operation == .add ? "two or more" : index == 0 ? "none" : "exactly one"))
            }
            for input in node.inputs where !seen.contains(input) || input == node.name {
                throw graphError("node '\(node.name)' reads '\(input)', which is not an earlier node (nodes are listed inputs first)")
            }
        }
        let consumers = consumers()
        if let unread = nodes.indices.dropLast().first(where: { consumers[$0].isEmpty }) {
            throw graphError("node '\(nodes[unread].name)' is never read; only the last node ('\(nodes.last!.name)') is the output")
        }
    }

    /// An `invalidArgument` error about this graph.
    func graphError(_ message: String) -> PruneKitError {
        .invalidArgument(operation: "network graph", message: message)
    }
}

extension NetworkGraph {
    /// Names of the nodes that own layers (convolution, factorised convolution, batch norm, linear, channel scatter), in
    /// node order.
    public var parameterisedNodeNames: [String] {
        nodes.compactMap { node in
            switch node.operation {
            case .convolution, .factorisedConvolution, .batchNorm, .linear, .channelScatter: return node.name
            default: return nil
            }
        }
    }
}
