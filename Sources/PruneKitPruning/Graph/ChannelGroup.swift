import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The unit of structured pruning (STYLE.md rule 8): channels of several layers that must be removed together so
/// that every shape still fits. A group has `unitCount` units; removing unit u removes, from every member, the
/// channels (or input columns) that member lists for u.
///
/// Typical groups (built by `DependencyGraph` from a model's spec):
/// - a layer: conv output channels (weight axis 0, bias), its BatchNorm, and the next conv's input channels
///   (weight axis 1) or, after a flatten, the first linear layer's columns c*H*W ..< (c+1)*H*W;
/// - a residual stream: every layer writing into one residual sum (stem, each block's conv2/bn2, projection
///   shortcuts) and every layer reading it; one unit is one stream channel;
/// - ResNet option-A padding: channel pairs that only the zero-padding shortcut created (see `DependencyGraph`).
///
/// Shape contract: every member lists exactly `unitCount` channel lists; indices are within the member's axis.
///
/// ```swift
/// let graph = try DependencyGraph(model: model)
/// let group = try graph.group(named: "layer1.0.conv1")  // conv1 out, bn1, conv2 in
/// group.unitCount                                        // 16
/// ```
public struct ChannelGroup: Equatable, Sendable {
    /// What kind of coupling produced the group.
    public enum Kind: String, Codable, Sendable {
        /// A layer's outputs and their readers (block-internal channels, VGG/LeNet/MLP layers).
        case layer
        /// All producers and readers of one residual stream.
        case residualStream
        /// ResNet option A: stream channels that exist only because the shortcut zero-pads.
        case streamPadding
    }

    /// One layer's share of the group.
    public struct Member: Equatable, Sendable {
        /// Which axis of the layer the group's channels live on.
        public enum Role: String, Codable, Sendable {
            /// Output channels of a Conv2d (weight axis 0 and bias) or output features of a Linear.
            case output
            /// The channels of a BatchNorm (gamma, beta, running mean and variance).
            case batchNorm
            /// Input channels of a Conv2d (weight axis 1) or input columns of a Linear (weight axis 1).
            case input
        }

        /// Dotted module name (`layer1.0.conv2`).
        public let layerName: String
        /// The axis the channels are on.
        public let role: Role
        /// For each unit, the member's channel (or column) indices, ascending.
        public let channels: [[Int]]

        /// A member; `channels[u]` lists the indices unit u owns in this layer.
        public init(layerName: String, role: Role, channels: [[Int]]) {
            self.layerName = layerName
            self.role = role
            self.channels = channels
        }

        /// Whether the member produces the channels (output or BatchNorm) rather than reading them.
        public var isProducer: Bool { role != .input }
    }

    /// The group's name: the width-table entry it shrinks (`layer1.0.conv1`, `layer2`, `feature.0`, `layers.1`).
    public let name: String
    /// What coupled the members.
    public let kind: Kind
    /// Members, producers first.
    public let members: [Member]
    /// Units that must stay (1 unless the group's channels can all go without emptying a layer).
    public let minimumUnits: Int
    /// Width-table entry -> channels each unit removes from it (for analytic FLOPs and parameter counts).
    public let widthEffects: [String: [Int]]

    /// A group from its parts; `DependencyGraph` builds these.
    public init(name: String, kind: Kind, members: [Member], minimumUnits: Int, widthEffects: [String: [Int]]) {
        self.name = name
        self.kind = kind
        self.members = members
        self.minimumUnits = minimumUnits
        self.widthEffects = widthEffects
    }

    /// Number of units.
    public var unitCount: Int { members.first?.channels.count ?? 0 }

    /// How many units may be removed at most.
    public var removableUnits: Int { max(unitCount - minimumUnits, 0) }

    /// Members that produce the channels (conv/linear outputs and BatchNorms).
    public var producers: [Member] { members.filter(\.isProducer) }

    /// Channels per unit in the widest width entry it touches (1 for plain layers, 2 for option-A pairs): the
    /// step `roundTo` rounds kept units by.
    public var channelsPerUnit: Int { widthEffects.values.compactMap { $0.max() }.max() ?? 1 }
}
