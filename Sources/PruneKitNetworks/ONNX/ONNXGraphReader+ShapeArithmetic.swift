import PruneKitCore

/// The shape arithmetic PyTorch's exporter writes for `x.view(x.size(0), -1)` with a dynamic batch: Shape(x), Gather
/// index 0, Unsqueeze, Concat with [-1], then Reshape. Only the batch extent is ever taken, so the result is the
/// constant Reshape target [0, -1] (0: keep the input's batch extent), which `flatten` then reads as usual.
extension ONNXGraphReader {
    /// Gather of element 0 of a Shape: the batch extent (a scalar for index 0, a vector for [0]).
    mutating func batchExtent(_ node: ONNXNode, _ output: String) throws {
        guard node.inputs.count == 2, (try integer(node, "axis") ?? 0) == 0 else { throw nodeError("must gather from a shape along axis 0") }
        let index = try constant(node.inputs[1], "the index")
        guard case .int64([0]) = index.elements else {
            throw nodeError("takes extents \(index.elements) of a shape; supported: the batch extent (index 0)")
        }
        values[output] = index.dimensions.isEmpty ? .batchSize : .batchVector
    }

    /// Unsqueeze of the batch extent at axis 0 (axes as an input from opset 13, an attribute before).
    mutating func unsqueeze(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, ["axes"])
        let axes = try integers(node, "axes") ?? (node.inputs.count > 1 ? try integers(node.inputs[1], "axes") : [])
        guard case .batchSize = try value(input), axes == [0] else {
            throw nodeError("is supported only on the batch extent of a shape, at axis 0 (x.view(x.size(0), -1))")
        }
        values[output] = .batchVector
    }

    /// Concat (axis 0) of the batch vector and int64 constants: the constant [0] + the constants.
    mutating func concatenate(_ node: ONNXNode, _ output: String) throws {
        try checkAttributes(node, ["axis"])
        guard (try integer(node, "axis")) == 0, let first = node.inputs.first, case .batchVector? = values[first] else {
            throw nodeError("is supported only as [batch extent, constants...] along axis 0 (x.view(x.size(0), -1))")
        }
        var shape = [0]
        for name in node.inputs.dropFirst() { shape += try integers(name, "a shape part") }
        constants[output] = ONNXTensor(name: output, dimensions: [shape.count], integers: shape)
    }
}
