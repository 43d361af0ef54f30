import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Which channels of a model must be pruned together: the list of `ChannelGroup`s, derived by walking the model's
/// network graph (`ChannelSpaces`, `DependencyGraph+Derivation.swift`; STYLE.md rules 7-8; Torch-Pruning's
/// `DependencyGraph`, but over the typed graph instead of a trace), with no rule per family.
///
/// Groups of the zoo families (names are the producers' group labels, the zoo's width-table entries):
/// - `mlp`: `layers.I` (row I of `layers.I`, column of `layers.I+1`);
/// - `lenet5`: `conv1`, `conv2` (-> `fc1` columns c*16 ..< (c+1)*16 after the flatten), `fc1` (, `fc2`);
/// - `vgg`: every `feature.I` (conv, its BN, the next conv or `classifier.0`'s columns), `classifier.0`;
/// - `resnet`: `layerS.B.conv1` (conv1, bn1, conv2 input) and the residual streams `layer1..3`; with option B
///   a stream is an ordinary group; option A couples the stages through its pads (see the derivation);
/// - `wrn`: `blocks.I.conv1` (conv1, bn2, conv2 input), the stem stream `conv1` (k != 1) and `group1..3`.
/// The classifier's outputs belong to no group; no group may lose its last unit.
///
/// The graph describes the model at the moment it is built: rebuild it after surgery.
///
/// ```swift
/// let graph = try DependencyGraph(model: try ModelZoo.build(name: "resnet20", seed: 1))
/// graph.groups.map(\.name)      // ["layer1.0.conv1", ..., "layer1", "layer2", "layer3"]
/// ```
public struct DependencyGraph: Sendable {
    /// Every group, block-internal (layer) groups first in model order, then streams.
    public let groups: [ChannelGroup]
    /// The spec the graph was derived from (the model's `currentSpec()`).
    public let spec: ModelSpec

    /// The groups of `model` at its current widths.
    public init(model: Model) throws {
        try self.init(spec: model.currentSpec())
    }

    /// The groups of a model built from `spec`.
    public init(spec: ModelSpec) throws {
        self.spec = spec
        groups = try Self.derivedGroups(of: spec)
    }

    /// The group called `name`; throws `invalidArgument` listing the known names.
    public func group(named name: String) throws -> ChannelGroup {
        guard let group = groups.first(where: { $0.name == name }) else {
            throw PruneKitError.invalidArgument(operation: "dependency graph of \(spec.name)",
                                                message: "no channel group '\(name)'; groups: \(groups.map(\.name).joined(separator: ", "))")
        }
        return group
    }

    /// Group names, in order.
    public var groupNames: [String] { groups.map(\.name) }
}
