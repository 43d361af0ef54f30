import PruneKitCore

/// Shape inference and per-layer costs of a graph.
extension NetworkGraph {
    /// The per-image output shape of every node, in node order, after `validateStructure()`. Throws naming the node
    /// when an operation does not fit its input (a conv on features, a kernel larger than the padded map, `add`
    /// operands of different shapes, a pad that would narrow), when an attribute is out of range (channels above
    /// `ModelLimits.maximumWidth`, stride < 1, groups != 1), or when an activation exceeds
    /// `ModelLimits.maximumActivationCount`. Attributes are checked before any product, so nothing overflows.
    public func inferShapes() throws -> [[Int]] {
        try validateStructure()
        let inputs = inputIndices()
        var shapes: [[Int]] = []
        shapes.reserveCapacity(nodes.count)
        for (index, node) in nodes.enumerated() {
            let operands = inputs[index].map { shapes[$0] }
            let shape = try outputShape(of: node, operands)
            guard let count = LayerCost.product(shape), count <= ModelLimits.maximumActivationCount, shape.allSatisfy({ $0 >= 1 }) else {
                let size = LayerCost.product(shape).map(String.init) ?? "> Int.max"
                throw nodeError(node, (index == 0 ? "inputShape \(shape) has \(size)" : "layer '\(node.name)' has an output of \(shape) = \(size)")
                                + " elements per image, above the limit of \(ModelLimits.maximumActivationCount) (or an empty extent)")
            }
            shapes.append(shape)
        }
        guard shapes.last!.count == 1 else {
            throw nodeError(nodes.last!, "the last node is the output and must give [classes] logits, found \(shapes.last!)")
        }
        return shapes
    }

    private func outputShape(of node: GraphNode, _ operands: [[Int]]) throws -> [Int] {
        let input = operands.first ?? []
        func spatial(_ kernel: Int, stride: Int, padding: Int) throws -> [Int] {
            guard input.count == 3 else { throw nodeError(node, "expects a [C, H, W] feature map, found \(input)") }
            try check(node, kernel, "kernel", 1...ModelLimits.maximumInputExtent)
            try check(node, stride, "stride", 1...ModelLimits.maximumInputExtent)
            try check(node, padding, "padding", 0...ModelLimits.maximumInputExtent)
            guard input[1] + 2 * padding >= kernel, input[2] + 2 * padding >= kernel else {
                throw nodeError(node, "layer '\(node.name)': a \(kernel)x\(kernel) window does not fit its \(input) input with padding \(padding)")
            }
            return [(input[1] + 2 * padding - kernel) / stride + 1, (input[2] + 2 * padding - kernel) / stride + 1]
        }
        switch node.operation {
        case let .input(shape):
            guard shape.count == 3, shape[0] >= 1, shape[0] <= ModelLimits.maximumWidth,
                  shape.dropFirst().allSatisfy({ (1...ModelLimits.maximumInputExtent).contains($0) }) else {
                throw nodeError(node, "input shape must be [C, H, W] with 1 <= C <= \(ModelLimits.maximumWidth) and 1 <= H, W <= \(ModelLimits.maximumInputExtent), found \(shape)")
            }
            return shape
        case let .convolution(attributes):
            try check(node, attributes.outputChannels, "out", 1...ModelLimits.maximumWidth)
            guard attributes.groups == 1 else {
                throw nodeError(node, "groups = \(attributes.groups): PruneKit's convolution kernels support groups = 1 only")
            }
            let extents = try spatial(attributes.kernelSize, stride: attributes.stride, padding: attributes.padding)
            try attributes.sparsity?.validate(rows: attributes.outputChannels,
                                              columns: input[0] * attributes.kernelSize * attributes.kernelSize, node: node.name)
            return [attributes.outputChannels] + extents
        case let .factorisedConvolution(attributes):
            for (value, key) in [(attributes.inputRank, "rank_in"), (attributes.outputRank, "rank_out"), (attributes.outputChannels, "out")] {
                try check(node, value, key, 1...ModelLimits.maximumWidth)
            }
            return [attributes.outputChannels] + (try spatial(attributes.kernelSize, stride: attributes.stride, padding: attributes.padding))
        case let .linear(attributes):
            guard input.count == 1 else { throw nodeError(node, "expects flat [F] features (add a flatten or global_avg_pool), found \(input)") }
            try check(node, attributes.outputFeatures, "out", 1...ModelLimits.maximumWidth)
            try attributes.sparsity?.validate(rows: attributes.outputFeatures, columns: input[0], node: node.name)
            return [attributes.outputFeatures]
        case .batchNorm:
            guard input.count == 3 || input.count == 1 else { throw nodeError(node, "expects [C, H, W] or [F], found \(input)") }
            return input
        case .relu, .dropout:
            if case let .dropout(probability) = node.operation, !(probability >= 0 && probability < 1) {
                throw nodeError(node, "dropout p must be in [0, 1), found \(probability)")
            }
            return input
        case let .maxPool(kernel, stride), let .averagePool(kernel, stride):
            return [input.first ?? 0] + (try spatial(kernel, stride: stride, padding: 0))
        case .globalAveragePool:
            guard input.count == 3 else { throw nodeError(node, "expects a [C, H, W] feature map, found \(input)") }
            return [input[0]]
        case .flatten:
            return [LayerCost.product(input) ?? Int.max]
        case .add:
            guard operands.allSatisfy({ $0 == input }) else {
                throw nodeError(node, "adds operands of different shapes: " + zip(node.inputs, operands).map { "\($0) \($1)" }.joined(separator: ", "))
            }
            return input
        case let .channelPad(outputChannels, stride):
            guard input.count == 3 else { throw nodeError(node, "expects a [C, H, W] feature map, found \(input)") }
            guard outputChannels >= input[0] else {
                throw nodeError(node, "layer '\(node.name)': the option-A shortcut cannot narrow the residual stream from \(input[0]) to "
                                + "\(outputChannels) channels (stream '\(node.groupName)' must be at least as wide as its input)")
            }
            try check(node, outputChannels, "out", 1...ModelLimits.maximumWidth)
            try check(node, stride, "stride", 1...ModelLimits.maximumInputExtent)
            return [outputChannels, (input[1] + stride - 1) / stride, (input[2] + stride - 1) / stride]
        case let .channelScatter(outputChannels, indices):
            guard input.count == 3 else { throw nodeError(node, "expects a [C, H, W] feature map, found \(input)") }
            try check(node, outputChannels, "out", 1...ModelLimits.maximumWidth)
            guard indices.count == input[0], Set(indices).count == indices.count, indices.allSatisfy({ (0..<outputChannels).contains($0) }) else {
                throw nodeError(node, "needs one distinct index in 0..<\(outputChannels) per input channel (\(input[0])), found \(indices)")
            }
            return [outputChannels, input[1], input[2]]
        }
    }

    /// Every Conv2d, BatchNorm and Linear the graph holds, in node order (a factorised convolution gives three
    /// convolutions, `name.rotation_in`, `name.core`, `name.rotation_out`), with shapes and costs. `widthName` is the
    /// group label of the channels a layer writes (a BatchNorm: of the channels it normalises); nil for the output
    /// layer's classes.
    public func layerCosts() throws -> [LayerCost] {
        let shapes = try inferShapes(), inputs = inputIndices()
        var labels = [String?](repeating: nil, count: nodes.count), result: [LayerCost] = []
        for (index, node) in nodes.enumerated() {
            let input = inputs[index].first.map { shapes[$0] } ?? [], output = shapes[index]
            let isOutput = index == nodes.count - 1
            labels[index] = inputs[index].first.flatMap { labels[$0] }
            switch node.operation {
            case let .convolution(a):
                labels[index] = isOutput ? nil : node.groupName
                result.append(LayerCost(name: node.name, kind: .convolution, inputShape: input, outputShape: output, kernelSize: a.kernelSize,
                                        stride: a.stride, padding: a.padding, hasBias: a.bias, widthName: labels[index], sparsity: a.sparsity))
            case let .factorisedConvolution(a):
                labels[index] = isOutput ? nil : node.groupName
                let core = [a.outputRank] + output.dropFirst()
                let parts = FactorisedConvolutionAttributes.partNames.map { node.name + "." + $0 }
                result.append(LayerCost(name: parts[0], kind: .convolution, inputShape: input, outputShape: [a.inputRank] + input.dropFirst(),
                                        widthName: parts[0]))
                result.append(LayerCost(name: parts[1], kind: .convolution, inputShape: [a.inputRank] + input.dropFirst(), outputShape: core,
                                        kernelSize: a.kernelSize, stride: a.stride, padding: a.padding, widthName: parts[1]))
                result.append(LayerCost(name: parts[2], kind: .convolution, inputShape: core, outputShape: output, hasBias: a.bias,
                                        widthName: labels[index]))
            case let .linear(a):
                labels[index] = isOutput ? nil : node.groupName
                result.append(LayerCost(name: node.name, kind: .linear, inputShape: input, outputShape: output, hasBias: a.bias,
                                        widthName: labels[index], sparsity: a.sparsity))
            case .batchNorm:
                result.append(LayerCost(name: node.name, kind: .batchNorm, inputShape: input, outputShape: output, widthName: labels[index]))
            case .channelPad:
                labels[index] = node.groupName
            case .channelScatter:
                labels[index] = node.groupName
                result.append(LayerCost(name: node.name, kind: .channelScatter, inputShape: input, outputShape: output, widthName: labels[index]))
            default:
                break
            }
        }
        return result
    }

    private func check(_ node: GraphNode, _ value: Int, _ key: String, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw PruneKitError.invalidParameter(name: "node '\(node.name)' \(key)", expected: "\(range.lowerBound)...\(range.upperBound)", found: "\(value)")
        }
    }

    func nodeError(_ node: GraphNode, _ message: String) -> PruneKitError {
        .invalidArgument(operation: "network graph node '\(node.name)' (\(node.operation.jsonName))", message: message)
    }
}
