import PruneKitCore

/// The translation of ONNX's shape and plumbing operators (Flatten, Reshape, Add, Slice, Pad, Gather, Constant) into
/// network nodes, including the multi-operator patterns of ResNet's option-A shortcut and PruneKit's channel scatter.
extension ONNXGraphReader {
    /// Flatten (axis 1) or Reshape to [N, -1]: an alias after a global pool or of flat features, else a flatten node.
    mutating func flatten(_ node: ONNXNode, _ input: String, _ output: String) throws {
        if node.operatorType == "Flatten" {
            try checkAttributes(node, ["axis"])
            if let axis = try integer(node, "axis"), axis != 1 { throw attributeError(node, "axis", "\(axis)", "1") }
        } else {
            try checkAttributes(node, ["allowzero"])
            guard node.inputs.count == 2 else { throw nodeError("needs a shape input") }
            let shape = try integers(node.inputs[1], "the shape")
            guard shape.count == 2, shape[1] == -1 || shape[0] == -1 else {
                throw nodeError("reshapes to \(shape); supported: [N, -1] (flattening each image)")
            }
        }
        let value = try self.value(input)
        if case let .pooled(pool) = value { values[output] = .node(pool, channels: nil); return }
        let (source, channels) = try anyNode(input)
        values[output] = .node(channels == nil ? source : append(pathName(node), .flatten, [source]), channels: nil)
    }

    /// Add: of two computed values -> add; of a linear node without bias and a constant -> that bias; of a channel
    /// gather and a constant fill -> channel_scatter.
    mutating func add(_ node: ONNXNode, _ output: String) throws {
        try checkAttributes(node, [])
        guard node.inputs.count == 2 else { throw nodeError("needs two inputs") }
        let constantIndex = node.inputs.firstIndex { constants[$0] != nil }
        guard let constantIndex else {
            let (first, channels) = try anyNode(node.inputs[0])
            let (second, _) = try anyNode(node.inputs[1])
            values[output] = .node(append(pathName(node), .add, [first, second]), channels: channels)
            return
        }
        let operand = node.inputs[1 - constantIndex], constant = node.inputs[constantIndex]
        switch try value(operand) {
        case let .gathered(source, channels, gather): try scatter(node, output, source, channels: channels, gather: gather, fill: constant)
        case let .node(linear, nil) where readers[operand] == 1: try addBias(node, output, linear, constant)
        default: throw nodeError("adds the constant '\(constant)' to '\(operand)'; supported: a bias after MatMul, a scatter's fill after Gather")
        }
    }

    /// Sets the bias of linear node `name` (created without one) from `constant`.
    private mutating func addBias(_ node: ONNXNode, _ output: String, _ name: String, _ constant: String) throws {
        guard let index = nodes.lastIndex(where: { $0.name == name }), case var .linear(attributes) = nodes[index].operation,
              !attributes.bias else {
            throw nodeError("adds the constant '\(constant)' to '\(name)', which is not a linear layer without bias")
        }
        tensors[name + ".bias"] = try biasVector(constant, count: attributes.outputFeatures)
        attributes.bias = true
        nodes[index].operation = .linear(attributes)
        values[output] = .node(name, channels: nil)
    }

    /// Pad + Gather + Add(fill) -> channel_scatter: output channel c is input channel i where gather[c] = i < C, else
    /// the fill's c-th value.
    private mutating func scatter(_ node: ONNXNode, _ output: String, _ source: String, channels: Int, gather: [Int], fill: String) throws {
        let count = gather.count
        let fillTensor = try weight(fill, "the scatter fill")
        guard fillTensor.shape == [1, count, 1, 1] || fillTensor.shape == [count] else {
            throw nodeError("needs the scatter fill '\(fill)' of shape [1, \(count), 1, 1], found \(fillTensor.shape)")
        }
        var indices = [Int](repeating: -1, count: channels)
        for (channel, position) in gather.enumerated() where position < channels {
            guard indices[position] < 0 else { throw nodeError("gathers input channel \(position) twice; a scatter moves each channel once") }
            indices[position] = channel
        }
        guard !indices.contains(-1) else { throw nodeError("drops input channels; a scatter keeps all \(channels)") }
        let name = append(pathName(node), .channelScatter(outputChannels: count, indices: indices), [source])
        tensors[name + ".fill"] = try Tensor(shape: [count], scalars: fillTensor.scalars)
        values[output] = .node(name, channels: count)
    }

    /// Slice of H and W from 0 to the end with steps (axes N and C untouched): pending until a Pad or another reader.
    mutating func slice(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, [])
        guard node.inputs.count >= 3 else { throw nodeError("needs starts and ends inputs (opset 10 and later)") }
        let starts = try integers(node.inputs[1], "starts"), ends = try integers(node.inputs[2], "ends")
        let axes = node.inputs.count > 3 && !node.inputs[3].isEmpty ? try integers(node.inputs[3], "axes") : Array(starts.indices)
        let steps = node.inputs.count > 4 && !node.inputs[4].isEmpty ? try integers(node.inputs[4], "steps") : starts.map { _ in 1 }
        var (source, channels, strides) = try slicedInput(input)
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw nodeError("has starts, ends, axes and steps of different lengths")
        }
        for index in starts.indices {
            let axis = axes[index] < 0 ? axes[index] + 4 : axes[index]
            // Steps are bounded before they multiply, so hostile values cannot overflow.
            guard (0...3).contains(axis), starts[index] == 0, ends[index] >= 1 << 30, (1...ModelLimits.maximumInputExtent).contains(steps[index]),
                  axis >= 2 || steps[index] == 1, strides[max(axis, 2) - 2] <= ModelLimits.maximumInputExtent else {
                throw nodeError("slices axis \(axes[index]) from \(starts[index]) to \(ends[index]) step \(steps[index]); supported: "
                                + "whole H and W with a step (x[:, :, ::S, ::S])")
            }
            if axis >= 2 { strides[axis - 2] *= steps[index] }
        }
        values[output] = .sliced(source, channels: channels, strides: strides)
    }

    /// The node, channels and strides so far of a Slice's input.
    private mutating func slicedInput(_ input: String) throws -> (String, Int, [Int]) {
        if case let .sliced(source, channels, strides) = try value(input) { return (source, channels, strides) }
        let (source, channels) = try featureMap(input)
        return (source, channels, [1, 1])
    }

    /// Pad of zero channels (mode constant, value 0, no spatial padding): pending until a Gather or another reader.
    mutating func pad(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, ["mode"])
        if case let .string(mode)? = attribute(node, "mode"), mode != "constant" { throw attributeError(node, "mode", mode, "constant") }
        guard node.inputs.count >= 2, node.inputs.count <= 3 || node.inputs[3].isEmpty else { throw nodeError("needs pads and no axes input") }
        if node.inputs.count == 3, !node.inputs[2].isEmpty, try weight(node.inputs[2], "the pad value").scalars.contains(where: { $0 != 0 }) {
            throw nodeError("pads with a non-zero value; supported: zeros")
        }
        let pads = try integers(node.inputs[1], "pads")
        let extra = 0...ModelLimits.maximumWidth  // bounded, so C + before + after cannot overflow
        guard pads.count == 8, extra.contains(pads[1]), extra.contains(pads[5]), [0, 2, 3, 4, 6, 7].allSatisfy({ pads[$0] == 0 }) else {
            throw nodeError("pads \(pads); supported: zero channels only ([0, before, 0, 0, 0, after, 0, 0])")
        }
        let (source, channels, strides) = try slicedInput(input)
        guard strides[0] == strides[1] else { throw nodeError("pads a slice of unequal steps \(strides)") }
        values[output] = .padded(source, channels: channels, before: pads[1], after: pads[5], stride: strides[0])
    }

    /// Gather (axis 1) of one appended zero channel's Pad: the middle step of a channel scatter.
    mutating func gather(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, ["axis"])
        if case .shape = try value(input) { return try batchExtent(node, output) }
        guard (try integer(node, "axis")) == 1, node.inputs.count == 2 else { throw nodeError("must gather channels (axis 1) by constant indices") }
        guard case let .padded(source, channels, 0, 1, 1) = try value(input) else {
            throw nodeError("gathers from '\(input)'; supported: a Pad of one zero channel after the last (a channel scatter)")
        }
        let gather = try integers(node.inputs[1], "the indices")
        guard !gather.isEmpty, gather.allSatisfy({ (0...channels).contains($0) }) else {
            throw nodeError("has gather indices outside 0...\(channels)")
        }
        values[output] = .gathered(source, channels: channels, gather: gather)
    }

    /// Constant: its `value` tensor (or value_float(s) / value_int(s)) becomes a constant operand.
    mutating func constantNode(_ node: ONNXNode, _ output: String) throws {
        try checkAttributes(node, ["value", "value_float", "value_int", "value_ints"])
        guard let attribute = node.attributes.first else { throw nodeError("has no value") }
        switch attribute.value {
        case var .tensor(tensor): tensor.name = output; constants[output] = tensor
        case let .float(value): constants[output] = ONNXTensor(name: output, dimensions: [], floats: [value])
        case let .integer(value): constants[output] = ONNXTensor(name: output, dimensions: [], integers: [value])
        case let .integers(values): constants[output] = ONNXTensor(name: output, dimensions: [values.count], integers: values)
        case .string: throw attributeError(node, attribute.name, "a string", "a tensor or numbers")
        }
    }
}
