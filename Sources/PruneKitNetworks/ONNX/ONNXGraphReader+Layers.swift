import PruneKitCore

/// The translation of ONNX's layer operators (Conv, BatchNormalization, pools, Gemm, MatMul, Relu) into network
/// nodes with their tensors (see `ONNXImport` for the table).
extension ONNXGraphReader {
    /// Translates the current node `node`.
    mutating func translate(_ node: ONNXNode) throws {
        guard let output = node.outputs.first, !output.isEmpty, let input = node.inputs.first else {
            if node.operatorType == "Constant", let output = node.outputs.first { return try constantNode(node, output) }
            throw nodeError("has no input or no output")
        }
        switch node.operatorType {
        case "Conv": try convolution(node, input, output)
        case "BatchNormalization": try batchNorm(node, input, output)
        case "Relu":
            try checkAttributes(node, [])
            let (source, channels) = try anyNode(input)
            values[output] = .node(append(pathName(node), .relu, [source]), channels: channels)
        case "MaxPool", "AveragePool": try pool(node, input, output)
        case "GlobalAveragePool":
            try checkAttributes(node, [])
            let (source, _) = try featureMap(input)
            values[output] = .pooled(append(pathName(node), .globalAveragePool, [source]))
        case "ReduceMean": try spatialMean(node, input, output)
        case "Gemm": try gemm(node, input, output)
        case "MatMul": try matrixProduct(node, input, output)
        case "Flatten", "Reshape": try flatten(node, input, output)
        case "Add": try add(node, output)
        case "Slice": try slice(node, input, output)
        case "Pad": try pad(node, input, output)
        case "Gather": try gather(node, input, output)
        case "Identity", "Dropout":
            try checkAttributes(node, ["seed", "ratio", "is_test"])
            if let constant = constants[input] { constants[output] = constant } else { values[output] = try value(input) }
        case "Constant": try constantNode(node, output)
        case "Shape":
            try checkAttributes(node, ["start"])
            _ = try value(input)
            values[output] = .shape
        case "Unsqueeze": try unsqueeze(node, input, output)
        case "Concat": try concatenate(node, output)
        default:
            throw nodeError("is not supported; supported operators: \(ONNXImport.supportedOperators.joined(separator: ", "))")
        }
    }

    /// Conv -> conv: weight [OC, C, K, K] (groups 1), optional bias [OC].
    private mutating func convolution(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, ["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"])
        let (source, _) = try featureMap(input)
        guard node.inputs.count >= 2 else { throw nodeError("has no weight input") }
        let weight = try self.weight(node.inputs[1], "the weight")
        let shape = weight.shape
        guard shape.count == 4, shape[2] == shape[3] else { throw nodeError("has a weight of shape \(shape); supported: [OC, C, K, K] (square kernels)") }
        let kernel = shape[2]
        try expect(node, "kernel_shape", [kernel, kernel], "the weight's [K, K]")
        let stride = try square(node, "strides", default: 1)
        let pads = try integers(node, "pads") ?? [0, 0, 0, 0]
        guard pads.count == 4, Set(pads).count == 1 else { throw attributeError(node, "pads", "\(pads)", "four equal values (symmetric padding)") }
        _ = try square(node, "dilations", default: 1, only: 1)
        try expectDefaultAutoPad(node)
        let groups = try integer(node, "group") ?? 1
        let hasBias = node.inputs.count > 2 && !node.inputs[2].isEmpty
        let attributes = ConvolutionAttributes(outputChannels: shape[0], kernelSize: kernel, stride: stride, padding: pads[0],
                                               groups: groups, bias: hasBias)
        let name = append(moduleName(node.inputs[1], node), .convolution(attributes), [source])
        tensors[name + ".weight"] = weight
        if hasBias { tensors[name + ".bias"] = try self.weight(node.inputs[2], "the bias", shape: [shape[0]]) }
        values[output] = .node(name, channels: shape[0])
    }

    /// BatchNormalization (inference) -> batch_norm with weight, bias, running_mean, running_var.
    private mutating func batchNorm(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, ["epsilon", "momentum", "training_mode", "spatial"])
        guard node.inputs.count == 5, node.outputs.count == 1 || node.outputs.dropFirst().allSatisfy(\.isEmpty) else {
            throw nodeError("must be the inference form (5 inputs, 1 output)")
        }
        if let mode = try integer(node, "training_mode"), mode != 0 { throw attributeError(node, "training_mode", "\(mode)", "0") }
        if case let .float(epsilon)? = attribute(node, "epsilon"), abs(epsilon - 1e-5) > 1e-9 {
            throw attributeError(node, "epsilon", "\(epsilon)", "1e-5 (PyTorch's and PruneKit's batch-norm epsilon)")
        }
        let (source, channels) = try anyNode(input)
        let scale = try weight(node.inputs[1], "the scale")
        guard scale.shape.count == 1 else { throw nodeError("has a scale of shape \(scale.shape); expected [C]") }
        let name = append(moduleName(node.inputs[1], node), .batchNorm, [source])
        tensors[name + ".weight"] = scale
        for (suffix, index) in [("bias", 2), ("running_mean", 3), ("running_var", 4)] {
            tensors[name + "." + suffix] = try weight(node.inputs[index], "the \(suffix)", shape: scale.shape)
        }
        values[output] = .node(name, channels: channels)
    }

    /// MaxPool / AveragePool -> max_pool / avg_pool: square window, equal strides, no padding, floor mode.
    private mutating func pool(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, ["kernel_shape", "strides", "pads", "ceil_mode", "dilations", "auto_pad", "count_include_pad", "storage_order"])
        let (source, channels) = try featureMap(input)
        guard node.outputs.dropFirst().allSatisfy(\.isEmpty) else { throw nodeError("has an Indices output; supported: the pooled values only") }
        let kernel = try square(node, "kernel_shape", default: nil)
        let stride = try square(node, "strides", default: 1)
        if let pads = try integers(node, "pads"), pads.contains(where: { $0 != 0 }) { throw attributeError(node, "pads", "\(pads)", "zeros") }
        if let ceil = try integer(node, "ceil_mode"), ceil != 0 { throw attributeError(node, "ceil_mode", "\(ceil)", "0") }
        _ = try square(node, "dilations", default: 1, only: 1)
        try expectDefaultAutoPad(node)
        let operation: GraphOperation = node.operatorType == "MaxPool" ? .maxPool(kernelSize: kernel, stride: stride)
                                                                        : .averagePool(kernelSize: kernel, stride: stride)
        values[output] = .node(append(pathName(node), operation, [source]), channels: channels)
    }

    /// ReduceMean over H and W (axes [2, 3] or [-2, -1], an attribute before opset 18 and an input since, as the dynamo
    /// exporter writes `adaptive_avg_pool2d(x, 1)`) -> global_avg_pool; with keepdims 0 the result is already flat.
    private mutating func spatialMean(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, ["axes", "keepdims", "noop_with_empty_axes"])
        let axes = try integers(node, "axes") ?? (node.inputs.count > 1 && !node.inputs[1].isEmpty ? try integers(node.inputs[1], "the axes") : [])
        guard Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [2, 3], axes.count == 2 else {
            throw attributeError(node, "axes", "\(axes)", "[2, 3] (the mean over height and width)")
        }
        let (source, _) = try featureMap(input)
        let pool = append(pathName(node), .globalAveragePool, [source])
        values[output] = (try integer(node, "keepdims") ?? 1) == 0 ? .node(pool, channels: nil) : .pooled(pool)
    }

    /// Gemm (alpha = beta = 1, transA = 0) -> linear; B is [out, in] with transB = 1, else [in, out].
    private mutating func gemm(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, ["alpha", "beta", "transA", "transB"])
        for key in ["alpha", "beta"] { if case let .float(value)? = attribute(node, key), value != 1 { throw attributeError(node, key, "\(value)", "1") } }
        if let transA = try integer(node, "transA"), transA != 0 { throw attributeError(node, "transA", "\(transA)", "0") }
        guard node.inputs.count >= 2 else { throw nodeError("has no B input") }
        var weight = try self.weight(node.inputs[1], "B (the weight)")
        guard weight.shape.count == 2 else { throw nodeError("has B of shape \(weight.shape); expected a matrix") }
        if (try integer(node, "transB") ?? 0) == 0 { weight = try transposed(weight) }
        let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? node.inputs[2] : nil
        try linear(node, input, output, weight: weight, bias: bias)
    }

    /// MatMul of features by a constant [in, out] -> linear without bias (an Add of a constant may add one).
    private mutating func matrixProduct(_ node: ONNXNode, _ input: String, _ output: String) throws {
        try checkAttributes(node, [])
        guard node.inputs.count == 2 else { throw nodeError("needs two inputs") }
        let weight = try self.weight(node.inputs[1], "the right operand")
        guard weight.shape.count == 2 else { throw nodeError("has a right operand of shape \(weight.shape); expected a constant matrix") }
        try linear(node, input, output, weight: try transposed(weight), bias: nil)
    }

    /// A linear node of `weight` [out, in] and optional bias constant `bias` ([out] or [1, out]).
    private mutating func linear(_ node: ONNXNode, _ input: String, _ output: String, weight: Tensor, bias: String?) throws {
        let source = try features(try value(input), input)
        let outputs = weight.shape[0]
        let name = append(moduleName(node.inputs[1], node), .linear(.init(outputFeatures: outputs, bias: bias != nil)), [source])
        tensors[name + ".weight"] = weight
        if let bias { tensors[name + ".bias"] = try biasVector(bias, count: outputs) }
        values[output] = .node(name, channels: nil)
    }

    /// A bias constant of shape [count] or [1, count] as [count].
    func biasVector(_ name: String, count: Int) throws -> Tensor {
        let tensor = try weight(name, "the bias")
        guard tensor.shape == [count] || tensor.shape == [1, count] else { throw nodeError("needs the bias '\(name)' of shape [\(count)], found \(tensor.shape)") }
        return try Tensor(shape: [count], scalars: tensor.scalars)
    }

    /// [rows, columns] -> [columns, rows].
    private func transposed(_ matrix: Tensor) throws -> Tensor {
        let (rows, columns) = (matrix.shape[0], matrix.shape[1])
        let scalars = matrix.scalars
        var result = [Float](repeating: 0, count: scalars.count)
        for row in 0..<rows { for column in 0..<columns { result[column * rows + row] = scalars[row * columns + column] } }
        return try Tensor(shape: [columns, rows], scalars: result)
    }
}
