import PruneKitCore

/// A convolution's k kept output channels written into a full-width stream of OC channels (SFP's compact ResNet,
/// He et al., IJCAI 2018): y[:, indices[i]] = x[:, i]; every other channel c is the constant `fill[c]`.
///
/// Shapes: input [N, k, H, W], output [N, OC, H, W]. No parameters; the buffer `name.fill` ([OC], saved in the
/// state_dict like batch norm's running statistics) holds the constants; only its entries outside `indices` matter.
/// For SFP the constant is what a zeroed filter gives after eval-mode batch norm, beta - gamma * mu / sqrt(var + eps).
public final class ChannelScatter: Layer {
    /// The node's name; the buffer is `name.fill`.
    public let name: String
    /// Where input channel i goes: k distinct channels in 0..<OC.
    public let indices: [Int]
    /// The per-channel constants, [OC].
    public var fill: Tensor

    /// A scatter into `outputChannels` channels with a zero fill.
    public init(name: String, outputChannels: Int, indices: [Int]) {
        self.name = name
        self.indices = indices
        fill = Tensor(zeros: [outputChannels])
    }

    /// OC.
    public var outputChannels: Int { fill.count }

    /// `scatterChannels(input, indices:, fill:)`.
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        try scatterChannels(input, indices: indices, fill: fill)
    }
}
