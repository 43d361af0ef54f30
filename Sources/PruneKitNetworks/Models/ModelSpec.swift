import PruneKitCore

/// A Codable description of a network: family, depth, input shape, class count, and a width table with one
/// entry per independently prunable width, so that a pruned model (any convolution or linear layer narrowed)
/// round-trips through JSON and can be rebuilt.
///
/// **The width table.** `widths` is an ordered list of (name, width); a name is either a layer (its output
/// channels or features) or a *residual stream*:
/// - `mlp`: `layers.0`, `layers.1`, ... (hidden features; the last layer's output is `classCount`).
/// - `lenet5`: `conv1`, `conv2`, `fc1`; `lenet5-classic`: `conv1`, `conv2`, `fc1`, `fc2`.
/// - `vgg`: every convolution of `feature` (`feature.0`, `feature.3`, `feature.7`, ...; its BatchNorm follows
///   it) and `classifier.0` (the 512-wide hidden layer).
/// - `resnet`: a stream per stage, `layer1`, `layer2`, `layer3`, then the inner width of each block,
///   `layerS.B.conv1` (sets `conv1` and `bn1`). Every layer *writing into* one residual stream must have the
///   stream's width, so it is one entry: `layer1` sets the stem `conv1`/`bn1` and every `layer1.B.conv2`/`bn2`;
///   `layer2` sets every `layer2.B.conv2`/`bn2` and, with option B, `layer2.0.downsample.0`/`.1`. Option A pads
///   the stage's input stream with (out - in) zero channels, (out - in) / 2 before (He et al. 2016, as in
///   models.py), so a stage stream may not be narrower than the one before it.
/// - `wrn`: the stem stream `conv1` (read by `blocks.0.bn1`; absent when k = 1, where the stem writes
///   `group1`), a stream per group `group1`, `group2`, `group3` (every `conv2` and `shortcut` of the group, the
///   next group's first `bn1`, and the final `bn`), then `blocks.I.conv1` (sets `conv1` and `bn2`).
///
/// Shape contract: inputs are [N] + `inputShape` ([C, H, W]); the output is [N, `classCount`].
///
/// ```swift
/// var spec = try ModelZoo.spec(named: "resnet20")
/// try spec.setWidth(of: "layer1.0.conv1", to: 8)     // a pruned block
/// let model = try Model(spec: spec, seed: 1)
/// ```
public struct ModelSpec: Codable, Equatable, Sendable {
    /// Architecture families; the raw value is the JSON spelling.
    public enum Family: String, Codable, Sendable, CaseIterable {
        /// Fully connected ReLU network on the flattened input (LeNet-300-100 by default).
        case multilayerPerceptron = "mlp"
        /// LeNet-5 as in Caffe and Han et al. (NeurIPS 2015): conv 20, pool, conv 50, pool, fc 500, fc.
        case leNet5 = "lenet5"
        /// LeNet-5 in LeCun et al. (1998)'s layout with ReLU and max pooling: 6-16-120-84.
        case leNet5Classic = "lenet5-classic"
        /// VGG with BatchNorm for CIFAR (Simonyan and Zisserman 2015; Liu et al., network slimming, ICCV 2017).
        case vgg
        /// CIFAR ResNet with basic blocks, depth 6n + 2 (He et al., CVPR 2016).
        case resNet = "resnet"
        /// Wide ResNet WRN-d-k with pre-activation blocks, depth 6n + 4 (Zagoruyko and Komodakis, BMVC 2016).
        case wideResNet = "wrn"
        /// Pre-activation bottleneck ResNet-v2, depth 9n + 2 (He et al., ECCV 2016), BPCP's "ResNet56".
        case resNetV2 = "resnet-v2"
        /// Any network given as a `NetworkGraph` in the spec's `graph` field (a user's architecture, or a zoo model
        /// after a structural edit).
        case graph

        /// Whether the family's networks normalise with batch norm (VGG, ResNet, WRN); the MLP and LeNets do not,
        /// and train stably only at smaller learning rates. False for `graph`, whose answer depends on the graph:
        /// ask the spec (`ModelSpec.usesBatchNorm`).
        public var usesBatchNorm: Bool {
            switch self {
            case .multilayerPerceptron, .leNet5, .leNet5Classic: false
            case .vgg, .resNet, .wideResNet, .resNetV2: true
            case .graph: false
            }
        }
    }

    /// How a ResNet block joins a stream of a different width or resolution.
    public enum Shortcut: String, Codable, Sendable {
        /// Option A: subsample by the stride and zero-pad channels; no parameters.
        case zeroPadding = "A"
        /// Option B: a 1x1 convolution with the block's stride, then BatchNorm (`downsample.0`, `downsample.1`).
        case projection = "B"
    }

    /// One entry of the width table: a layer or residual stream name and its channel (feature) count.
    public struct LayerWidth: Codable, Equatable, Sendable {
        /// Layer name (`layer1.0.conv1`) or stream name (`layer2`, `group3`).
        public var name: String
        /// Output channels (convolutions, streams) or features (linear layers); at least 1.
        public var width: Int

        /// An entry `name` = `width`.
        public init(name: String, width: Int) {
            self.name = name
            self.width = width
        }
    }

    /// A label for reports (the zoo name it came from, e.g. `resnet20`); not used when building.
    public var name: String
    /// The architecture family.
    public var family: Family
    /// Depth as in the family's name: VGG 11/13/16/19, ResNet 6n + 2, WRN 6n + 4, MLP the number of linear
    /// layers, LeNet-5 always 5.
    public var depth: Int
    /// WRN's widening factor k (group widths 16k, 32k, 64k); nil for other families.
    public var widthFactor: Int?
    /// Per-image input shape [C, H, W].
    public var inputShape: [Int]
    /// Number of classes, the output features.
    public var classCount: Int
    /// ResNet shortcut option; nil for other families.
    public var shortcut: Shortcut?
    /// WRN dropout probability between a block's two convolutions (0 in models.py); nil for other families.
    public var dropoutProbability: Float?
    /// The width table, in the canonical order described above (empty for family `graph`, whose widths live on
    /// its nodes).
    public var widths: [LayerWidth]
    /// The network itself for family `graph`; nil for the zoo families, whose graph `networkGraph()` builds.
    public var graph: NetworkGraph?

    /// A spec from its fields; `validate()` (or building a `Model`) checks them.
    public init(name: String, family: Family, depth: Int, widthFactor: Int? = nil, inputShape: [Int], classCount: Int,
                shortcut: Shortcut? = nil, dropoutProbability: Float? = nil, widths: [LayerWidth], graph: NetworkGraph? = nil) {
        self.name = name
        self.family = family
        self.depth = depth
        self.widthFactor = widthFactor
        self.inputShape = inputShape
        self.classCount = classCount
        self.shortcut = shortcut
        self.dropoutProbability = dropoutProbability
        self.widths = widths
        self.graph = graph
    }

    /// A spec of family `graph` for `graph`: input shape and class count read from its first and last node, depth
    /// the number of convolution and linear nodes (a label only).
    public init(name: String, graph: NetworkGraph) throws {
        let shapes = try graph.inferShapes()
        let depth = graph.nodes.filter {
            switch $0.operation { case .convolution, .factorisedConvolution, .linear: true; default: false }
        }.count
        self.init(name: name, family: .graph, depth: depth, inputShape: graph.inputShape, classCount: shapes.last![0], widths: [],
                  graph: graph)
    }

    /// The network as a graph: the stored one for family `graph`, else the family's builder at this spec's widths.
    public func networkGraph() throws -> NetworkGraph {
        try family.architecture.makeGraph(for: self)
    }

    /// The width of table entry `name` (for family `graph`: of width label `name`, see `NetworkGraph.widthTable`);
    /// throws `invalidArgument` naming it when there is no such entry.
    public func width(of name: String) throws -> Int {
        guard let entry = widthTable.first(where: { $0.name == name }) else {
            throw PruneKitError.invalidArgument(operation: "model spec \(self.name)",
                                                message: "layer '\(name)' has no entry in the width table")
        }
        return entry.width
    }

    /// Sets the width of table entry `name` (e.g. after pruning its channels; for family `graph` every producer with
    /// that label); throws when there is no such entry.
    public mutating func setWidth(of name: String, to width: Int) throws {
        if family == .graph, graph != nil {
            guard widthTable.contains(where: { $0.name == name }) else {
                throw PruneKitError.invalidArgument(operation: "model spec \(self.name)", message: "layer '\(name)' has no entry in the width table")
            }
            return try graph!.setWidth(of: name, to: width)
        }
        guard let index = widths.firstIndex(where: { $0.name == name }) else {
            throw PruneKitError.invalidArgument(operation: "model spec \(self.name)",
                                                message: "layer '\(name)' has no entry in the width table")
        }
        widths[index].width = width
    }

    /// The width table: `widths` for the zoo families, the graph's labels for family `graph`.
    public var widthTable: [LayerWidth] { family == .graph ? graph?.widthTable ?? [] : widths }
}
