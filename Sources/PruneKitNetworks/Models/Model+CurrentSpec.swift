import PruneKitCore

/// Reading the widths back from a model whose layers pruning has narrowed in place.
extension Model {
    /// The spec with every width-table entry set to the output width the layers hold now, checked so that it
    /// rebuilds to exactly these shapes: every layer one entry sets (a stream's convs, BNs and projections)
    /// must agree, and every weight must have the shape the new spec's geometry gives it.
    /// Throws `shapeMismatch` naming the first layer that disagrees, or the new spec's validation error.
    ///
    /// ```swift
    /// // after surgery removed 4 filters of layer1.0.conv1 (and bn1's channels, conv2's input channels):
    /// let pruned = try model.currentSpec()       // width(of: "layer1.0.conv1") == 12
    /// try pruned.write(toFile: "pruned.json")
    /// ```
    public func currentSpec() throws -> ModelSpec {
        guard spec.family != .graph else {
            var result = spec
            result.graph = try currentGraph()
            try checkShapes(against: result.validatedGeometry())
            return result
        }
        var result = spec
        for index in result.widths.indices {
            let entry = result.widths[index].name
            var measured: (width: Int, layer: String)?
            for record in geometry where record.widthName == entry {
                let width = Model.outputWidth(of: namedLayers[record.name]!)
                if let measured, measured.width != width {
                    throw PruneKitError.shapeMismatch(operation: "model \(spec.name): width '\(entry)'",
                                                      expected: "\(measured.width) channels as in \(measured.layer)",
                                                      found: "\(width) in \(record.name)")
                }
                measured = measured ?? (width, record.name)
            }
            if let measured { result.widths[index].width = measured.width }
        }
        try checkShapes(against: result.validatedGeometry())
        return result
    }

    /// The graph at the widths the layers hold now: every convolution's, linear layer's and factorised convolution's
    /// output (and ranks) read from its layers, option-A pads re-derived from the streams they join.
    public func currentGraph() throws -> NetworkGraph {
        var result = graph
        for index in result.nodes.indices {
            let name = result.nodes[index].name
            switch result.nodes[index].operation {
            case var .convolution(attributes):
                attributes.outputChannels = Model.outputWidth(of: namedLayers[name]!)
                if case .columns = attributes.sparsity {  // the layer's columns: surgery remaps them
                    attributes.sparsity = (namedLayers[name] as? Conv2d)?.columns.map { .columns(kept: $0.kept) }
                }
                result.nodes[index].operation = .convolution(attributes)
            case var .linear(attributes):
                attributes.outputFeatures = Model.outputWidth(of: namedLayers[name]!)
                result.nodes[index].operation = .linear(attributes)
            case var .factorisedConvolution(attributes):
                let parts = FactorisedConvolutionAttributes.partNames.map { Model.outputWidth(of: namedLayers[name + "." + $0]!) }
                (attributes.inputRank, attributes.outputRank, attributes.outputChannels) = (parts[0], parts[1], parts[2])
                result.nodes[index].operation = .factorisedConvolution(attributes)
            default:
                break
            }
        }
        result.reconcilePadWidths(paddingFrom: graph)
        return result
    }

    /// Every layer's tensors against the recorded geometry: conv [OC, C, K, K], linear [out, in], biases and
    /// BatchNorm tensors [OC].
    private func checkShapes(against geometry: [LayerCost]) throws {
        for record in geometry {
            for (tensor, found, expected) in Model.tensorShapes(of: namedLayers[record.name]!, record) where found != expected {
                throw PruneKitError.shapeMismatch(operation: "model \(spec.name): layer '\(record.name)' \(tensor)",
                                                  expected: "\(expected)", found: "\(found)")
            }
        }
    }

    /// (tensor name, actual shape, shape the geometry requires) for each tensor of a layer.
    private static func tensorShapes(of layer: Layer, _ record: LayerCost) -> [(String, [Int], [Int])] {
        let (output, input, kernel) = (record.outputWidth, record.inputWidth, record.kernelSize)
        switch layer {
        case let convolution as Conv2d:
            return [("weight", convolution.weight.shape, [output, input, kernel, kernel])]
                + (convolution.bias.map { [("bias", $0.shape, [output])] } ?? [])
        case let linear as Linear:
            return [("weight", linear.weight.shape, [output, input])] + (linear.bias.map { [("bias", $0.shape, [output])] } ?? [])
        case let batchNorm as BatchNorm:
            return [("weight", batchNorm.scale.shape, [output]), ("bias", batchNorm.shift.shape, [output]),
                    ("running_mean", batchNorm.statistics.runningMean.shape, [output]),
                    ("running_var", batchNorm.statistics.runningVariance.shape, [output])]
        case let scatter as ChannelScatter:
            return [("fill", scatter.fill.shape, [output])]
        default:
            return []
        }
    }

    /// Output channels or features of a Conv2d, Linear or BatchNorm.
    static func outputWidth(of layer: Layer) -> Int {
        switch layer {
        case let convolution as Conv2d: return convolution.outputChannels
        case let linear as Linear: return linear.outputFeatures
        case let batchNorm as BatchNorm: return batchNorm.channels
        case let scatter as ChannelScatter: return scatter.outputChannels
        default: return 0
        }
    }
}
