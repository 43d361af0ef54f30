import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining
import PruneKitPruning

/// Assembles `ChannelGroup`s from a spec's current geometry. The architecture files (`DependencyGraph+...`)
/// declare *streams* (who writes and who reads a set of channels) and *units* (which channels of which streams
/// one unit owns); this type turns them into members with index lists, expanding flatten readers to columns.
struct GroupBuilder {
    /// A set of channels: the layers that produce them and the layers that read them.
    struct Stream {
        /// Width-table entry that sets the channel count.
        var widthName: String
        /// Conv2d or Linear layers writing the channels (output role).
        var outputs: [String]
        /// BatchNorms over the channels (after the producer, or before a pre-activation reader).
        var batchNorms: [String]
        /// Conv2d or Linear layers reading the channels (input role); a linear reader after a flatten owns
        /// `inputWidth / channels` consecutive columns per channel.
        var readers: [String]
    }

    let spec: ModelSpec
    let layers: [String: LayerCost]
    private(set) var groups: [ChannelGroup] = []

    init(spec: ModelSpec, layers: [LayerCost]) {
        self.spec = spec
        self.layers = Dictionary(uniqueKeysWithValues: layers.map { ($0.name, $0) })
    }

    /// The recorded geometry of `name`; throws naming the layer when the spec has none.
    func layer(_ name: String) throws -> LayerCost {
        guard let layer = layers[name] else {
            throw PruneKitError.invalidArgument(operation: "dependency graph of \(spec.name)", message: "no layer '\(name)'")
        }
        return layer
    }

    /// Whether the geometry has a layer `name`.
    func has(_ name: String) -> Bool { layers[name] != nil }

    /// A group of one stream where unit c is channel c.
    mutating func addPlainGroup(_ stream: Stream, kind: ChannelGroup.Kind) throws {
        let width = try spec.width(of: stream.widthName)
        try addGroup(name: stream.widthName, kind: kind, minimumUnits: 1, streams: [stream],
                     units: (0..<width).map { [stream.widthName: [$0]] })
    }

    /// A group whose unit u owns `units[u][stream.widthName]` channels of each stream (absent: none).
    /// Streams are listed in the order their members should appear; empty groups are skipped.
    mutating func addGroup(name: String, kind: ChannelGroup.Kind, minimumUnits: Int, streams: [Stream],
                           units: [[String: [Int]]]) throws {
        guard !units.isEmpty else { return }
        var producers: [ChannelGroup.Member] = [], readers: [ChannelGroup.Member] = []
        var effects: [String: [Int]] = [:]
        for stream in streams {
            let channels = units.map { $0[stream.widthName] ?? [] }
            let width = try spec.width(of: stream.widthName)
            effects[stream.widthName] = channels.map(\.count)
            producers += stream.outputs.map { .init(layerName: $0, role: .output, channels: channels) }
            producers += stream.batchNorms.map { .init(layerName: $0, role: .batchNorm, channels: channels) }
            for reader in stream.readers {
                let spread = try layer(reader).inputWidth / max(width, 1)
                let columns = channels.map { list in list.flatMap { channel in (channel * spread)..<((channel + 1) * spread) } }
                readers.append(.init(layerName: reader, role: .input, channels: columns))
            }
        }
        for member in producers + readers { _ = try layer(member.layerName) }
        groups.append(ChannelGroup(name: name, kind: kind, members: producers + readers, minimumUnits: minimumUnits,
                                   widthEffects: effects))
    }
}
