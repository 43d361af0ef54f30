import PruneKitCore
import PruneKitNetworks

/// The channel groups of any graph, derived from its `ChannelSpaces` with no per-family rule:
/// - every prunable space is a group: its writers (output role), the batch norms on it, and its readers (input role;
///   a linear layer after a flatten owns H*W consecutive columns per channel). Named by its producers' `group` label
///   (the zoo's width-table entries: `layer1.0.conv1`, `layer2`, `feature.3`); kind `residualStream` when an `add`
///   joins it or a producer carries an explicit label, else `layer`;
/// - option-A pads couple spaces: channel c of the source is also channel c + o of the padded space, o = (w' - w) / 2.
///   The source's units carry their images along every pad after it; the padded space's own units are its padding
///   channels in pairs (i, o + w + i), plus the top one when the padding is odd (kind `streamPadding`, may be
///   emptied), so that any set of removed units keeps o' = (w' - w) / 2 consistent (as `subsampleAndPadChannels`
///   places them) and the network computes the same function on what remains.
/// Groups come out layer groups first, then streams, each in the order of the node that opens them: the order the
/// hand-written family rules used, which `DerivedCouplingTests` checks member by member on every zoo model.
extension DependencyGraph {
    static func derivedGroups(of spec: ModelSpec) throws -> [ChannelGroup] {
        let graph = try spec.networkGraph()
        let spaces = try ChannelSpaces(graph: graph, shapes: graph.inferShapes())
        var incoming: [Int: ChannelSpaces.PadEdge] = [:], outgoing: [Int: [ChannelSpaces.PadEdge]] = [:]
        for pad in spaces.pads {
            if let earlier = incoming[pad.target] {
                throw PruneKitError.invalidArgument(operation: "dependency graph of \(spec.name)",
                                                    message: "option-A pads '\(earlier.node)' and '\(pad.node)' feed one stream; one pad per stream is supported")
            }
            incoming[pad.target] = pad
            outgoing[pad.source, default: []].append(pad)
        }
        var layerGroups: [ChannelGroup] = [], streamGroups: [ChannelGroup] = [], names = Set<String>()
        for root in spaces.roots where !spaces.unprunable.contains(root) {
            let space = spaces.spaces[root]
            let name = space.labels.first?.0 ?? space.outputs.first ?? "space\(root)"
            guard names.insert(name).inserted else {
                throw PruneKitError.invalidArgument(operation: "dependency graph of \(spec.name)",
                                                    message: "two separate channel spaces are both labelled '\(name)'; give their producers distinct 'group' labels")
            }
            let units: [[Int]], kind: ChannelGroup.Kind
            if let pad = incoming[root] {
                let width = space.width, carried = spaces.spaces[pad.source].width, below = pad.offset
                var padding = (0..<below).map { [$0, below + carried + $0] }
                if width - carried - below > below { padding.append([width - 1]) }
                (units, kind) = (padding, .streamPadding)
            } else {
                units = (0..<space.width).map { [$0] }
                kind = space.joinsAtAdd || space.labels.contains(where: \.explicit) ? .residualStream : .layer
            }
            guard !units.isEmpty else { continue }
            let chain = carriedChannels(units, from: root, outgoing: outgoing, spaces: spaces)
            let group = makeGroup(name: name, kind: kind, chain: chain, spaces: spaces)
            if kind == .layer { layerGroups.append(group) } else { streamGroups.append(group) }
        }
        return layerGroups + streamGroups
    }

    /// [(space, channels of every unit in it)], starting at `root` and following its pads.
    private static func carriedChannels(_ units: [[Int]], from root: Int, outgoing: [Int: [ChannelSpaces.PadEdge]],
                                        spaces: ChannelSpaces) -> [(Int, [[Int]])] {
        var result = [(root, units)]
        var index = 0
        while index < result.count {
            let (space, channels) = result[index]
            for pad in outgoing[space] ?? [] { result.append((pad.target, channels.map { $0.map { $0 + pad.offset } })) }
            index += 1
        }
        return result
    }

    private static func makeGroup(name: String, kind: ChannelGroup.Kind, chain: [(Int, [[Int]])], spaces: ChannelSpaces) -> ChannelGroup {
        var producers: [ChannelGroup.Member] = [], readers: [ChannelGroup.Member] = [], effects: [String: [Int]] = [:]
        func spread(_ channels: [[Int]], _ factor: Int) -> [[Int]] {
            factor == 1 ? channels : channels.map { list in list.flatMap { ($0 * factor)..<(($0 + 1) * factor) } }
        }
        for (space, channels) in chain {
            let content = spaces.spaces[space]
            // Every width label of the space shrinks: a user's graph need not label a stream's producers alike (the
            // stem and a block's conv2 keep their own names), and a cost projected on one label alone breaks the add.
            for label in content.labels.isEmpty ? [name] : content.labels.map(\.0) { effects[label] = channels.map(\.count) }
            producers += content.outputs.map { .init(layerName: $0, role: .output, channels: channels) }
            producers += content.batchNorms.map { .init(layerName: $0.0, role: .batchNorm, channels: spread(channels, $0.1)) }
            readers += content.readers.map { .init(layerName: $0.0, role: .input, channels: spread(channels, $0.1)) }
        }
        return ChannelGroup(name: name, kind: kind, members: producers + readers, minimumUnits: kind == .streamPadding ? 0 : 1,
                            widthEffects: effects)
    }
}
