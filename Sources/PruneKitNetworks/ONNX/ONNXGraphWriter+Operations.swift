import PruneKitCore

/// The translation of each network node kind into ONNX operators (see `ONNXExport` for the table).
extension ONNXGraphWriter {
    /// Writes `node` (at `index`), naming its final ONNX value `output`, and records which value holds its output.
    mutating func write(_ node: GraphNode, _ index: Int, to output: String) throws {
        let source = inputs[index].first.map { values[export.graph.nodes[$0].name]! } ?? ""
        let name = node.name
        switch node.operation {
        case .input:
            values[name] = "input"
            return
        case let .convolution(attributes):
            try convolution(node, module: name, source, output, kernel: attributes.kernelSize, stride: attributes.stride,
                            padding: attributes.padding, groups: attributes.groups, bias: attributes.bias, folding: foldings[name])
        case let .factorisedConvolution(attributes):
            let (inName, coreName, outName) = (name + ".rotation_in", name + ".core", name + ".rotation_out")
            try convolution(node, module: inName, source, inName, kernel: 1, stride: 1, padding: 0, bias: false)
            try convolution(node, module: coreName, inName, coreName, kernel: attributes.kernelSize, stride: attributes.stride,
                            padding: attributes.padding, bias: false)
            try convolution(node, module: outName, coreName, output, kernel: 1, stride: 1, padding: 0, bias: attributes.bias,
                            folding: foldings[name])
        case let .linear(attributes):
            let (weight, bias) = try weights(node, module: name, bias: attributes.bias, folding: foldings[name])
            append("Gemm", name, [source, weight] + (bias.map { [$0] } ?? []), output, [ONNXAttribute("transB", .integer(1))])
        case .batchNorm where isFolded(index), .dropout:
            values[name] = source
            return
        case .batchNorm:
            let parameters = try ["weight", "bias", "running_mean", "running_var"].map { suffix in
                constant(name + "." + suffix, try export.tensor(suffix, of: node))
            }
            append("BatchNormalization", name, [source] + parameters, output, [ONNXAttribute("epsilon", .float(export.epsilon(of: node)))])
        case .relu:
            append("Relu", name, [source], output)
        case let .maxPool(kernel, stride), let .averagePool(kernel, stride):
            let type = node.operation == .maxPool(kernelSize: kernel, stride: stride) ? "MaxPool" : "AveragePool"
            append(type, name, [source], output, [ONNXAttribute("kernel_shape", .integers([kernel, kernel])),
                                                  ONNXAttribute("strides", .integers([stride, stride]))])
        case .globalAveragePool:
            let pooled = append("GlobalAveragePool", name, [source], name + ".pooled")
            append("Flatten", name + ".flatten", [pooled], output, [ONNXAttribute("axis", .integer(1))])
        case .flatten:
            append("Flatten", name, [source], output, [ONNXAttribute("axis", .integer(1))])
        case .add:
            sum(name, inputs[index].map { values[export.graph.nodes[$0].name]! }, output)
        case let .channelPad(outputChannels, stride):
            channelPad(name, source, output, channels: shapes[inputs[index][0]][0], outputChannels: outputChannels, stride: stride)
        case let .channelScatter(outputChannels, indices):
            try channelScatter(node, source, output, channels: shapes[inputs[index][0]][0], outputChannels: outputChannels, indices: indices)
        }
        values[name] = output
    }

    /// Add of two operands; a chain of Adds (`name.0`, `name.1`, ..., then `name`) for more.
    private mutating func sum(_ name: String, _ operands: [String], _ output: String) {
        var total = operands[0]
        for (step, operand) in operands.dropFirst().enumerated() {
            let last = step == operands.count - 2
            total = append("Add", last ? name : "\(name).\(step)", [total, operand], last ? output : "\(name).\(step)")
        }
    }

    /// A Conv of module `module`'s weight (and bias), optionally with a batch norm folded in.
    private mutating func convolution(_ node: GraphNode, module: String, _ source: String, _ output: String, kernel: Int, stride: Int,
                                      padding: Int, groups: Int = 1, bias: Bool, folding: BatchNormFolding? = nil) throws {
        let (weight, biasName) = try weights(node, module: module, bias: bias, folding: folding)
        append("Conv", module, [source, weight] + (biasName.map { [$0] } ?? []), output, [
            ONNXAttribute("group", .integer(groups)),
            ONNXAttribute("kernel_shape", .integers([kernel, kernel])),
            ONNXAttribute("pads", .integers([padding, padding, padding, padding])),
            ONNXAttribute("strides", .integers([stride, stride])),
        ])
    }

    /// The initializers `module.weight` and (with a bias or a folding) `module.bias`, folded when `folding` is given.
    private mutating func weights(_ node: GraphNode, module: String, bias: Bool, folding: BatchNormFolding?) throws -> (String, String?) {
        var weight = try export.tensor("weight", of: node, module: module)
        var biasTensor = bias ? try export.tensor("bias", of: node, module: module) : nil
        if let folding { (weight, biasTensor) = try folding.fold(weight: weight, bias: biasTensor) }
        return (constant(module + ".weight", weight), biasTensor.map { constant(module + ".bias", $0) })
    }

    /// Option A: x[:, :, ::S, ::S] (Slice with steps, when S > 1), then (OC - C) zero channels, (OC - C) / 2 of them first.
    private mutating func channelPad(_ name: String, _ source: String, _ output: String, channels: Int, outputChannels: Int, stride: Int) {
        var sliced = source
        if stride > 1 {
            sliced = append("Slice", name + ".slice", [source, constant(name + ".starts", integers: [0, 0]),
                                                       constant(name + ".ends", integers: [Int(Int64.max), Int(Int64.max)]),
                                                       constant(name + ".axes", integers: [2, 3]),
                                                       constant(name + ".steps", integers: [stride, stride])], name + ".slice")
        }
        let before = (outputChannels - channels) / 2, after = outputChannels - channels - before
        append("Pad", name, [sliced, constant(name + ".pads", integers: [0, before, 0, 0, 0, after, 0, 0])], output)
    }

    /// y[:, indices[i]] = x[:, i], other channels c = fill[c]: Pad x with one zero channel (channel k), Gather channel
    /// indices[i] -> i and every other channel -> k, then Add the fill with zeros at the scattered channels. Exact: each
    /// output is x + 0 or 0 + fill.
    private mutating func channelScatter(_ node: GraphNode, _ source: String, _ output: String, channels: Int, outputChannels: Int,
                                         indices: [Int]) throws {
        let name = node.name
        var gather = [Int](repeating: channels, count: outputChannels)
        for (position, channel) in indices.enumerated() { gather[channel] = position }
        var fill = try export.tensor("fill", of: node).scalars
        for channel in indices { fill[channel] = 0 }
        let padded = append("Pad", name + ".pad", [source, constant(name + ".pads", integers: [0, 0, 0, 0, 0, 1, 0, 0])], name + ".pad")
        let gathered = append("Gather", name + ".gather", [padded, constant(name + ".indices", integers: gather)], name + ".gather",
                              [ONNXAttribute("axis", .integer(1))])
        append("Add", name, [gathered, constant(name + ".fill_broadcast", [1, outputChannels, 1, 1], fill)], output)
    }
}
