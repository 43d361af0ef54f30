import PruneKitCore

/// The pre-activation basic block of wide residual networks (Zagoruyko and Komodakis, BMVC 2016; He et al.,
/// ECCV 2016), models.py's `WideBlock`:
/// o = relu(bn1(x)); y = conv2(dropout(relu(bn2(conv1(o))))) + (shortcut ? shortcut(o) : x).
/// conv1 3x3 with the block's stride, conv2 3x3, shortcut 1x1 with the stride; none has a bias.
///
/// Shape contract: input [N, C, H, W] -> output [N, OC, ceil(H/S), ceil(W/S)], OC = conv2's output channels
/// (without a shortcut C = OC and S = 1). Parameters in state_dict order: `bn1`, `conv1`, `bn2`, `conv2`,
/// `shortcut`. Dropout (inactive in evaluation) is the original WRN's; models.py has none (probability 0).
///
/// ```swift
/// let block = PreActivationBlock(batchNorm1: bn1, convolution1: conv1, batchNorm2: bn2, convolution2: conv2,
///                                shortcut: projection, dropoutProbability: 0)
/// let y = try block(x, ForwardContext(training: true))
/// ```
public final class PreActivationBlock: Layer {
    /// `bn1`, on the block input.
    public let batchNorm1: BatchNorm
    /// `conv1`: 3x3, the block's stride.
    public let convolution1: Conv2d
    /// `bn2`.
    public let batchNorm2: BatchNorm
    /// `conv2`: 3x3, stride 1; writes the residual stream.
    public let convolution2: Conv2d
    /// `shortcut`: 1x1 projection of relu(bn1(x)) where width or resolution changes; nil for identity.
    public let shortcut: Conv2d?
    /// Dropout between the convolutions; nil when the probability is 0.
    public let dropout: Dropout?

    /// A block from its layers (named by the caller, e.g. `blocks.0.conv1`).
    public init(batchNorm1: BatchNorm, convolution1: Conv2d, batchNorm2: BatchNorm, convolution2: Conv2d,
                shortcut: Conv2d?, dropoutProbability: Float) {
        self.batchNorm1 = batchNorm1
        self.convolution1 = convolution1
        self.batchNorm2 = batchNorm2
        self.convolution2 = convolution2
        self.shortcut = shortcut
        dropout = dropoutProbability > 0 ? Dropout(probability: dropoutProbability) : nil
    }

    /// bn1, conv1, bn2, (dropout), conv2, shortcut: PyTorch registration order for the parameters.
    public var children: [Layer] {
        var layers: [Layer] = [batchNorm1, convolution1, batchNorm2]
        if let dropout { layers.append(dropout) }
        layers.append(convolution2)
        if let shortcut { layers.append(shortcut) }
        return layers
    }

    /// y = conv2(dropout(relu(bn2(conv1(o))))) + shortcut, o = relu(bn1(x)).
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        let activated = try batchNorm1.withReLU(input, context)
        if context.fusesInference {  // bn2 folded into conv1 with its ReLU, the residual add into conv2; no dropout in eval
            let residual = try shortcut.map { try $0.inference(activated, batchNorm: nil, relu: false, context) } ?? input
            let hidden = try convolution1.inference(activated, batchNorm: batchNorm2, relu: true, context)
            return try convolution2.inference(hidden, batchNorm: nil, residual: residual, relu: false, context)
        }
        let residual = try shortcut.map { try $0(activated, context) } ?? input
        var hidden = try batchNorm2.withReLU(try convolution1(activated, context), context)
        if let dropout { hidden = try dropout(hidden, context) }
        return try add(try convolution2(hidden, context), residual)
    }
}
