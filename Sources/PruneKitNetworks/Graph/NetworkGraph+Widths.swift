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

    /// Sets each option-A pad's width to what its stream has now (`padTarget`): the width of the layer writing the
    /// other operand of the `add` the pad reaches, or, without one, its input's width plus the padding it had. The
    /// padding is read from `reference` (same nodes, the widths before a change of the layers' widths) when given,
    /// else from this graph; a caller whose pad attributes are stale (`Model.currentGraph`, after channel surgery
    /// narrowed the pad's input) passes the graph the pads were built with, or the removed channels would come back
    /// as padding.
    public mutating func reconcilePadWidths(paddingFrom reference: NetworkGraph? = nil) {
        let inputs = inputIndices(), before = reference ?? self
        var shapes: [[Int]]?  // the reference's, inferred only when a pad without an add partner needs them
        for index in nodes.indices {
            guard case let .channelPad(_, stride) = nodes[index].operation else { continue }
            switch padTarget(of: index) {
            case let .partner(source):
                if let width = Self.widths(of: nodes[source]).last?.1 { nodes[index].operation = .channelPad(outputChannels: width, stride: stride) }
            case let .fixedPadding(source):
                if shapes == nil { shapes = try? before.inferShapes() }
                guard let width = Self.widths(of: nodes[source]).last?.1, let shapes,
                      case let .channelPad(outputChannels, _) = before.nodes[index].operation else { continue }
                let padding = outputChannels - shapes[inputs[index][0]][0]
                nodes[index].operation = .channelPad(outputChannels: width + padding, stride: stride)
            case .none:
                continue
            }
        }
    }

    /// Where an option-A pad's width comes from.
    public enum PadTarget: Equatable, Sendable {
        /// The layer (node index) writing the other operand of the `add` the pad reaches through ReLU, batch norm or
        /// dropout: the pad matches its width.
        case partner(Int)
        /// No such add: the pad keeps its padding on top of the width of this layer (node index), which writes its input.
        case fixedPadding(Int)
    }

    /// The `PadTarget` of pad node `index`; nil when no layer can be found (the pad reads the input directly).
    public func padTarget(of index: Int) -> PadTarget? {
        let inputs = inputIndices(), consumers = consumers()
        func writer(from start: Int) -> Int? {
            var source = start
            while nodes[source].operation.keepsInputChannels { source = inputs[source][0] }
            return Self.widths(of: nodes[source]).isEmpty ? nil : source
        }
        var current = index
        while true {
            if let join = consumers[current].first(where: { nodes[$0].operation == .add }),
               let other = inputs[join].first(where: { $0 != current }), let source = writer(from: other) {
                return .partner(source)
            }
            guard let next = consumers[current].first(where: { nodes[$0].operation.keepsInputChannels && nodes[$0].operation != .add }) else { break }
            current = next
        }
        return writer(from: inputs[index][0]).map { .fixedPadding($0) }
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
    /// Whether the output has the first input's channels, element for element (batch norm, ReLU, dropout, add): what
    /// `padTarget` traces through.
    var keepsInputChannels: Bool {
        switch self {
        case .batchNorm, .relu, .dropout, .add: return true
        default: return false
        }
    }
}
