import PruneKitCore

/// Structural edits of a graph. Each returns a graph that validates; parameterised nodes that survive keep their
/// names, so their tensors carry over by state_dict name (`StructuralSurgery` does that for a model).
extension NetworkGraph {
    /// The nodes of the residual branch joined at the `add` node `addName`: every ancestor of its first operand that
    /// is not an ancestor of (or equal to) the other operands (the shortcut). For a pre-activation block the shared
    /// bn1/ReLU stay when a projection reads them, and go with the branch under an identity shortcut.
    /// Throws naming the node when `addName` is not a two-operand `add`, or when a branch node is read outside the
    /// branch (the block could not be removed without changing another path).
    public func residualBranch(joinedAt addName: String) throws -> Set<String> {
        guard let join = index(of: addName), nodes[join].operation == .add, nodes[join].inputs.count == 2 else {
            throw PruneKitError.invalidParameter(name: "block", expected: "the name of a two-operand add node", found: "'\(addName)'")
        }
        let inputs = inputIndices(), consumers = consumers()
        func ancestors(of start: Int) -> Set<Int> {
            var seen: Set<Int> = [start], stack = [start]
            while let node = stack.popLast() { for input in inputs[node] where seen.insert(input).inserted { stack.append(input) } }
            return seen
        }
        let shortcut = ancestors(of: inputs[join][1])
        let branch = ancestors(of: inputs[join][0]).subtracting(shortcut)
        for node in branch where !consumers[node].allSatisfy({ branch.contains($0) || $0 == join }) {
            let outside = consumers[node].first { !branch.contains($0) && $0 != join }!
            throw PruneKitError.invalidArgument(operation: "remove block '\(addName)'",
                                                message: "branch node '\(nodes[node].name)' is also read by '\(nodes[outside].name)' outside the block")
        }
        guard !branch.isEmpty else {
            throw PruneKitError.invalidArgument(operation: "remove block '\(addName)'", message: "its first operand is on the shortcut path; nothing to remove")
        }
        return Set(branch.map { nodes[$0].name })
    }

    /// The graph without the residual branch joined at `addName`: the branch's nodes and the `add` go, and the add's
    /// readers read the shortcut instead (identity, option-A pad or projection, which stay). BPCP's block removal
    /// (Wang et al.): out = shortcut(x).
    public func removingResidualBlock(joinedAt addName: String) throws -> NetworkGraph {
        let branch = try residualBranch(joinedAt: addName)
        let shortcut = node(named: addName)!.inputs[1]
        var result = NetworkGraph(nodes: nodes.filter { !branch.contains($0.name) && $0.name != addName })
        for index in result.nodes.indices {
            result.nodes[index].inputs = result.nodes[index].inputs.map { $0 == addName ? shortcut : $0 }
        }
        _ = try result.inferShapes()
        return result
    }

    /// Every `add` node that joins a removable residual branch, in node order (BPCP's candidate blocks).
    public var residualJoins: [String] {
        nodes.filter { $0.operation == .add && $0.inputs.count == 2 }.map(\.name).filter { (try? residualBranch(joinedAt: $0)) != nil }
    }

    /// The graph with convolution `name` replaced by a factorised convolution of ranks (r_in, r_out) with the same
    /// kernel, stride, padding, bias and output channels, under the same name (its tensors become
    /// `name.rotation_in/core/rotation_out`). Sparsity records do not carry over (throws if the conv has one).
    public func replacingConvolution(named name: String, inputRank: Int, outputRank: Int) throws -> NetworkGraph {
        guard let position = index(of: name), case let .convolution(attributes) = nodes[position].operation else {
            throw PruneKitError.invalidParameter(name: "layer", expected: "the name of a convolution node", found: "'\(name)'")
        }
        guard attributes.sparsity == nil else {
            throw PruneKitError.invalidArgument(operation: "factorise '\(name)'", message: "it carries a sparsity record; remove it first")
        }
        var result = self
        result.nodes[position].operation = .factorisedConvolution(.init(
            inputRank: inputRank, outputRank: outputRank, outputChannels: attributes.outputChannels, kernelSize: attributes.kernelSize,
            stride: attributes.stride, padding: attributes.padding, bias: attributes.bias))
        _ = try result.inferShapes()
        return result
    }

    /// The graph with `record` attached to convolution or linear node `name` (replacing any earlier one); the record is
    /// validated against the weight's [rows, columns].
    public func attachingSparsity(_ record: SparsityRecord?, to name: String) throws -> NetworkGraph {
        guard let position = index(of: name) else {
            throw PruneKitError.invalidParameter(name: "layer", expected: "the name of a convolution or linear node", found: "'\(name)'")
        }
        var result = self
        switch nodes[position].operation {
        case var .convolution(attributes):
            attributes.sparsity = record; result.nodes[position].operation = .convolution(attributes)
        case var .linear(attributes):
            attributes.sparsity = record; result.nodes[position].operation = .linear(attributes)
        default:
            throw PruneKitError.invalidParameter(name: "layer", expected: "a convolution or linear node", found: "'\(name)' (\(nodes[position].operation.jsonName))")
        }
        _ = try result.inferShapes()
        return result
    }
}
