import PruneKitCore
import PruneKitNetworks

/// The channel index spaces of a `NetworkGraph`, found by walking it once (Torch-Pruning's dependency tracing, on
/// the typed graph instead of a traced one). Every convolution, linear layer (and each part of a factorised
/// convolution) opens a space for its outputs; batch norm, ReLU, dropout, pooling and global pooling keep their
/// input's space; flatten keeps it with H*W features per channel; `add` merges the spaces of its operands (union-find),
/// which is what a residual stream is; an option-A `channel_pad` opens a space that holds its input's channel c at
/// c + (out - in) / 2; a `channel_scatter` (SFP's compact ResNet) is a coupling boundary: it opens a full-width space
/// that joins its stream at the add, and both that stream and the narrowed producer's space become unprunable
/// (surgery does not rewrite a scatter's indices). The input's space and the output layer's space are never pruned.
struct ChannelSpaces {
    /// Where a node's output channels live: a space id and how many consecutive features each channel spans.
    struct Location { var space: Int; var spread: Int }

    /// An option-A pad: channel c of `source` is channel c + offset of `target`.
    struct PadEdge { let source: Int; let target: Int; let offset: Int; let node: String }

    /// One merged space (a union-find class) and what touches it.
    struct Space {
        var width = 0
        var outputs: [String] = []          // layers writing the channels (output role), node order
        var batchNorms: [(String, Int)] = [] // batch norms normalising them, with spread
        var readers: [(String, Int)] = []    // layers reading them (input role), with spread
        var labels: [(String, explicit: Bool)] = []  // group labels of the producers (and pads), node order
        var joinsAtAdd = false
        var firstNode = Int.max
    }

    private(set) var spaces: [Space] = []
    private(set) var pads: [PadEdge] = []
    private var parent: [Int] = []
    let unprunable: Set<Int>

    init(graph: NetworkGraph, shapes: [[Int]]) throws {
        var locations: [Location] = [], raw: [Space] = [], parent: [Int] = [], pads: [PadEdge] = []
        let inputs = graph.inputIndices()
        func open(_ width: Int, at index: Int) -> Int {
            raw.append(Space(width: width, firstNode: index)); parent.append(parent.count); return raw.count - 1
        }
        var unprunable: Set<Int> = []
        for (index, node) in graph.nodes.enumerated() {
            let input = inputs[index].first.map { locations[$0] }
            switch node.operation {
            case let .input(shape):
                unprunable.insert(open(shape[0], at: index))
                locations.append(Location(space: 0, spread: 1))
            case let .convolution(attributes):
                let space = open(attributes.outputChannels, at: index)
                raw[space].outputs.append(node.name); raw[space].labels.append((node.groupName, node.group != nil))
                raw[input!.space].readers.append((node.name, input!.spread))
                locations.append(Location(space: space, spread: 1))
            case let .linear(attributes):
                let space = open(attributes.outputFeatures, at: index)
                raw[space].outputs.append(node.name); raw[space].labels.append((node.groupName, node.group != nil))
                raw[input!.space].readers.append((node.name, input!.spread))
                locations.append(Location(space: space, spread: 1))
            case let .factorisedConvolution(attributes):
                let parts = FactorisedConvolutionAttributes.partNames.map { node.name + "." + $0 }
                raw[input!.space].readers.append((parts[0], input!.spread))
                for (part, width) in zip(parts.prefix(2), [attributes.inputRank, attributes.outputRank]) {
                    let inner = open(width, at: index)
                    raw[inner].outputs.append(part); raw[inner].labels.append((part, false))
                }
                raw[raw.count - 2].readers.append((parts[1], 1)); raw[raw.count - 1].readers.append((parts[2], 1))
                let space = open(attributes.outputChannels, at: index)
                raw[space].outputs.append(parts[2]); raw[space].labels.append((node.groupName, node.group != nil))
                locations.append(Location(space: space, spread: 1))
            case .batchNorm:
                raw[input!.space].batchNorms.append((node.name, input!.spread))
                locations.append(input!)
            case .relu, .dropout, .maxPool, .averagePool, .globalAveragePool:
                locations.append(input!)
            case .flatten:
                let shape = shapes[inputs[index][0]]
                locations.append(Location(space: input!.space, spread: input!.spread * shape.dropFirst().reduce(1, *)))
            case .add:
                for other in inputs[index].dropFirst() where locations[other].spread == input!.spread {
                    raw[input!.space].joinsAtAdd = true
                    Self.union(&parent, input!.space, locations[other].space)
                }
                locations.append(input!)
            case let .channelScatter(outputChannels, _):
                // A coupling boundary: the narrowed producer's space ends here, the full-width output joins its
                // stream at the add. Neither side can be narrowed again (surgery does not edit a scatter's indices).
                unprunable.insert(input!.space)
                let space = open(outputChannels, at: index)
                raw[space].labels.append((node.groupName, node.group != nil))
                unprunable.insert(space)
                locations.append(Location(space: space, spread: 1))
            case let .channelPad(outputChannels, _):
                let space = open(outputChannels, at: index)
                raw[space].labels.append((node.groupName, node.group != nil))
                pads.append(PadEdge(source: input!.space, target: space, offset: (outputChannels - shapes[inputs[index][0]][0]) / 2,
                                    node: node.name))
                locations.append(Location(space: space, spread: 1))
            }
        }
        let last = graph.nodes.count - 1
        unprunable.insert(locations[last].space)
        // Merge each class into its root.
        var merged = [Space](repeating: Space(), count: raw.count)
        for (space, content) in raw.enumerated() {
            let root = Self.find(&parent, space)
            if space == root { merged[root].width = content.width }
            merged[root].outputs += content.outputs; merged[root].batchNorms += content.batchNorms
            merged[root].readers += content.readers; merged[root].labels += content.labels
            merged[root].joinsAtAdd = merged[root].joinsAtAdd || content.joinsAtAdd
            merged[root].firstNode = min(merged[root].firstNode, content.firstNode)
        }
        spaces = merged
        self.parent = parent
        self.pads = pads.map { PadEdge(source: Self.find(&parent, $0.source), target: Self.find(&parent, $0.target), offset: $0.offset, node: $0.node) }
        self.unprunable = Set(unprunable.map { Self.find(&parent, $0) })
    }

    /// The class (root) of `space`.
    func root(_ space: Int) -> Int {
        var current = space
        while parent[current] != current { current = parent[current] }
        return current
    }

    /// The roots, in the order of the node that opened them.
    var roots: [Int] { spaces.indices.filter { parent[$0] == $0 }.sorted { spaces[$0].firstNode < spaces[$1].firstNode } }

    private static func find(_ parent: inout [Int], _ space: Int) -> Int {
        var root = space
        while parent[root] != root { root = parent[root] }
        var current = space
        while parent[current] != root { (current, parent[current]) = (parent[current], root) }
        return root
    }

    private static func union(_ parent: inout [Int], _ a: Int, _ b: Int) {
        let (rootA, rootB) = (find(&parent, a), find(&parent, b))
        if rootA != rootB { parent[max(rootA, rootB)] = min(rootA, rootB) }
    }
}
