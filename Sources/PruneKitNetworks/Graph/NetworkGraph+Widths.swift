import PruneKitCore

/// Widths of a graph by channel-group label, the graph-family counterpart of a zoo spec's width table.
extension NetworkGraph {
    /// (label, width) for every label a producer carries, in node order: convolutions, linear layers and factorised
    /// convolutions by `groupName` (the inner ranks as `name.rotation_in` and `name.core`), option-A pads by theirs.
    /// The output layer's classes are not a width.
    public var widthTable: [ModelSpec.LayerWidth] {
        var table: [ModelSpec.LayerWidth] = [], seen = Set<String>()
        for (label, width) in nodes.dropLast().flatMap(Self.widths(of:)) where seen.insert(label).inserted {
            table.append(.init(name: label, width: width))
        }
        return table
    }

    /// Sets every producer labelled `label` to `width` output channels (a factorised convolution's `name.rotation_in`
    /// or `name.core` label sets its rank), then re-derives option-A pad widths; throws naming the label when no
    /// producer has it.
    public mutating func setWidth(of label: String, to width: Int) throws {
        var found = false
        for index in nodes.indices.dropLast() {
            let name = nodes[index].name, group = nodes[index].groupName
            switch nodes[index].operation {
            case var .convolution(attributes) where group == label:
                attributes.outputChannels = width; nodes[index].operation = .convolution(attributes); found = true
            case var .linear(attributes) where group == label:
                attributes.outputFeatures = width; nodes[index].operation = .linear(attributes); found = true
            case var .factorisedConvolution(attributes):
                if group == label { attributes.outputChannels = width; found = true }
                if name + ".rotation_in" == label { attributes.inputRank = width; found = true }
                if name + ".core" == label { attributes.outputRank = width; found = true }
                nodes[index].operation = .factorisedConvolution(attributes)
            case let .channelPad(_, stride) where group == label:
                nodes[index].operation = .channelPad(outputChannels: width, stride: stride); found = true
            default: break
            }
        }
        guard found else {
            throw PruneKitError.invalidArgument(operation: "network graph", message: "no layer carries the width label '\(label)'; labels: "
                                                + widthTable.map(\.name).prefix(12).joined(separator: ", "))
        }
        reconcilePadWidths()
    }

    /// Sets each option-A pad's width to that of the other operand of the `add` it feeds (traced back through batch
    /// norm, ReLU, dropout and first operands of adds to the layer that writes it), so that a narrowed stream keeps
    /// its pads consistent.
    public mutating func reconcilePadWidths() {
        let inputs = inputIndices(), consumers = consumers()
        for index in nodes.indices {
            guard case let .channelPad(_, stride) = nodes[index].operation,
                  let join = consumers[index].first(where: { nodes[$0].operation == .add }),
                  var source = inputs[join].first(where: { $0 != index }) else { continue }
            while nodes[source].operation.passesChannels != nil { source = inputs[source][0] }
            if let width = Self.widths(of: nodes[source]).last?.1 {
                nodes[index].operation = .channelPad(outputChannels: width, stride: stride)
            }
        }
    }

    private static func widths(of node: GraphNode) -> [(String, Int)] {
        switch node.operation {
        case let .convolution(attributes): return [(node.groupName, attributes.outputChannels)]
        case let .linear(attributes): return [(node.groupName, attributes.outputFeatures)]
        case let .factorisedConvolution(attributes):
            return [(node.name + ".rotation_in", attributes.inputRank), (node.name + ".core", attributes.outputRank),
                    (node.groupName, attributes.outputChannels)]
        case let .channelPad(outputChannels, _): return [(node.groupName, outputChannels)]
        default: return []
        }
    }
}

extension GraphOperation {
    /// For `reconcilePadWidths`: the operation itself when it keeps its first input's channels (batch norm, ReLU,
    /// dropout, add), else nil.
    var passesChannels: GraphOperation? {
        switch self {
        case .batchNorm, .relu, .dropout, .add: return self
        default: return nil
        }
    }
}
