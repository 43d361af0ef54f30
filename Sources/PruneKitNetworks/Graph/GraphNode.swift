import PruneKitCore

/// One node of a `NetworkGraph`: a named operation and the nodes it reads.
///
/// Parameterised nodes (convolution, factorised convolution, linear, batch norm) are named by their PyTorch
/// module name, so that their tensors are `name.weight`, `name.bias`, ... in the state_dict; other nodes have
/// any unique name (`layer1.0.relu1`, `layer1.0.add`). `inputs` lists the nodes read, in operand order: one for
/// every operation but `add` (two or more) and `input` (none).
///
/// `group` names the channel group the node's output channels belong to when the graph is pruned (the zoo's
/// width-table entry, e.g. `layer1` for every producer of stage 1's residual stream); nil: the node's own name.
/// It only labels groups: which channels are coupled is derived from the graph (`add`, batch norm, readers).
///
/// ```swift
/// let node = GraphNode(name: "layer1.0.conv1", operation: .convolution(.init(outputChannels: 16, kernelSize: 3, padding: 1)),
///                      inputs: ["relu"])
/// ```
public struct GraphNode: Equatable, Sendable {
    /// Unique name; for parameterised nodes the PyTorch module name.
    public var name: String
    /// What the node computes.
    public var operation: GraphOperation
    /// Names of the nodes read, in operand order.
    public var inputs: [String]
    /// Channel-group label of the output channels (see above); nil: `name`.
    public var group: String?

    /// A node from its parts.
    public init(name: String, operation: GraphOperation, inputs: [String], group: String? = nil) {
        self.name = name
        self.operation = operation
        self.inputs = inputs
        self.group = group
    }

    /// The group label, defaulting to the node's name.
    public var groupName: String { group ?? name }
}

/// The operations a `NetworkGraph` node can have. Shapes are per image: [C, H, W] feature maps or [F] features.
public enum GraphOperation: Equatable, Sendable {
    /// The network input, of per-image shape `shape` ([C, H, W]).
    case input(shape: [Int])
    /// `nn.Conv2d`: [C, H, W] -> [OC, (H + 2P - K) / S + 1, (W + 2P - K) / S + 1].
    case convolution(ConvolutionAttributes)
    /// A convolution factorised as rotation-in (1x1, C -> r_in), core (K x K, stride, padding, r_in -> r_out) and
    /// rotation-out (1x1, r_out -> OC, with the bias): EigenDamage's eigenbasis form (Wang et al., ICML 2019).
    case factorisedConvolution(FactorisedConvolutionAttributes)
    /// `nn.Linear`: [F] -> [out].
    case linear(LinearAttributes)
    /// `nn.BatchNorm2d` / `nn.BatchNorm1d` over the channels (features); shape unchanged.
    case batchNorm
    /// max(x, 0); shape unchanged.
    case relu
    /// Max pooling, window `kernelSize`, step `stride`, no padding: H -> (H - K) / S + 1.
    case maxPool(kernelSize: Int, stride: Int)
    /// Average pooling, window `kernelSize`, step `stride`, no padding.
    case averagePool(kernelSize: Int, stride: Int)
    /// Mean over H and W: [C, H, W] -> [C].
    case globalAveragePool
    /// [C, H, W] -> [C * H * W] in NCHW order (channel c owns features c*H*W ..< (c+1)*H*W).
    case flatten
    /// Elementwise sum of two or more inputs of one shape (a residual join).
    case add
    /// ResNet option A (He et al. 2016): x[:, ::S, ::S] with (OC - C) zero channels, (OC - C) / 2 before.
    case channelPad(outputChannels: Int, stride: Int)
    /// Input channel i goes to channel `indices[i]` of OC = `outputChannels`; the other channels hold the per-channel
    /// constants of the buffer `name.fill` ([OC]): [k, H, W] -> [OC, H, W], k = `indices.count` (SFP's compact ResNet,
    /// He et al., IJCAI 2018: a narrowed convolution writing into a full-width residual stream).
    case channelScatter(outputChannels: Int, indices: [Int])
    /// Dropout with drop probability p (inactive in evaluation); shape unchanged.
    case dropout(probability: Float)
}

/// A convolution node's attributes (PyTorch's `nn.Conv2d` arguments).
public struct ConvolutionAttributes: Equatable, Sendable {
    /// OC.
    public var outputChannels: Int
    /// K, square kernel side.
    public var kernelSize: Int
    /// S.
    public var stride: Int
    /// P, zero padding per side.
    public var padding: Int
    /// Channel groups; PruneKit's kernels run groups = 1 only (validation names the node otherwise).
    public var groups: Int
    /// Whether the convolution has a bias.
    public var bias: Bool
    /// Finer-than-channel sparsity of the weight, if any (`SparsityRecord`).
    public var sparsity: SparsityRecord?

    /// Attributes with PyTorch's defaults for the rest.
    public init(outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1, bias: Bool = false,
                sparsity: SparsityRecord? = nil) {
        (self.outputChannels, self.kernelSize, self.stride, self.padding) = (outputChannels, kernelSize, stride, padding)
        (self.groups, self.bias, self.sparsity) = (groups, bias, sparsity)
    }
}

/// A factorised convolution's attributes: the core's geometry and the two inner ranks.
public struct FactorisedConvolutionAttributes: Equatable, Sendable {
    /// r_in: channels out of the rotation-in 1x1 convolution.
    public var inputRank: Int
    /// r_out: channels out of the core convolution.
    public var outputRank: Int
    /// OC: channels out of the rotation-out 1x1 convolution.
    public var outputChannels: Int
    /// K of the core.
    public var kernelSize: Int
    /// S of the core.
    public var stride: Int
    /// P of the core.
    public var padding: Int
    /// Whether rotation-out has a bias.
    public var bias: Bool

    /// Attributes from their parts.
    public init(inputRank: Int, outputRank: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = false) {
        (self.inputRank, self.outputRank, self.outputChannels) = (inputRank, outputRank, outputChannels)
        (self.kernelSize, self.stride, self.padding, self.bias) = (kernelSize, stride, padding, bias)
    }

    /// The module-name suffixes of the three convolutions, in order.
    public static let partNames = ["rotation_in", "core", "rotation_out"]
}

/// A linear node's attributes.
public struct LinearAttributes: Equatable, Sendable {
    /// Output features.
    public var outputFeatures: Int
    /// Whether the layer has a bias.
    public var bias: Bool
    /// Finer-than-row sparsity of the weight, if any.
    public var sparsity: SparsityRecord?

    /// Attributes from their parts.
    public init(outputFeatures: Int, bias: Bool = true, sparsity: SparsityRecord? = nil) {
        (self.outputFeatures, self.bias, self.sparsity) = (outputFeatures, bias, sparsity)
    }
}
