import PruneKitCore

extension Model {
    /// Makes the layers hold what the graph's sparsity records keep, from the current weights: a convolution with a
    /// `columns` record zeroes its pruned columns (its `columns` plan was set when it was built); a `blocks` record on a
    /// convolution or linear layer, or a `columns` record on a linear layer, becomes the layer's `weightMask` (block
    /// maxima found in the current weights) and the weight is zeroed outside it. Called when the model is built, after a
    /// state_dict is loaded (a file with non-zero pruned entries is read as its record says) and by structural edits.
    public func refreshSparsityMasks() throws {
        for node in try currentGraph().nodes {
            switch node.operation {
            case let .convolution(attributes):
                guard let convolution = namedLayers[node.name] as? Conv2d else { continue }
                convolution.weightMask = nil
                if let columns = convolution.columns { columns.zeroPruned(&convolution.weight.value) }
                if case .blocks = attributes.sparsity { convolution.weightMask = try Self.mask(attributes.sparsity!, convolution.weight, node.name) }
            case let .linear(attributes):
                guard let linear = namedLayers[node.name] as? Linear else { continue }
                linear.weightMask = try attributes.sparsity.map { try Self.mask($0, linear.weight, node.name) }
            default:
                continue
            }
        }
    }

    /// `record`'s 0/1 mask for `weight` viewed as [shape[0], rest], applied to the weight.
    private static func mask(_ record: SparsityRecord, _ weight: Variable, _ node: String) throws -> Tensor {
        let (rows, columns) = (weight.shape[0], weight.value.count / max(weight.shape[0], 1))
        try record.validate(rows: rows, columns: columns, node: node)
        let mask = try Tensor(shape: weight.shape, scalars: record.mask(for: weight.value, rows: rows, columns: columns))
        weight.value.withUnsafeMutableBufferPointer { w in
            mask.withUnsafeBufferPointer { m in for index in w.indices where m[index] == 0 { w[index] = 0 } }
        }
        return mask
    }
}
