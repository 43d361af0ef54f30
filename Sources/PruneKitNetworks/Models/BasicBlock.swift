import PruneKitCore

/// The CIFAR ResNet basic block (He et al., CVPR 2016), models.py's `BasicBlock`:
/// y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), conv1 3x3 with the block's stride, conv2 3x3.
///
/// Shape contract: input [N, C, H, W] -> output [N, OC, ceil(H/S), ceil(W/S)], OC = conv2's output channels.
/// The zero-padding shortcut (option A) subsamples x by S and pads OC - C zero channels, (OC - C) / 2 before
/// (models.py's `pad // 2`), so it adapts to pruned widths; OC < C throws. Parameters come out in state_dict
/// order: `conv1`, `bn1`, `conv2`, `bn2`, then `downsample.0` (1x1 conv) and `downsample.1` (BN) for option B.
///
/// ```swift
/// let block = BasicBlock(convolution1: conv1, batchNorm1: bn1, convolution2: conv2, batchNorm2: bn2,
///                        shortcut: .zeroPadding(stride: 2))
/// let y = try block(x, ForwardContext(training: false))   // [2, 16, 32, 32] -> [2, 32, 16, 16]
/// ```
public final class BasicBlock: Layer {
    /// How the input reaches the residual add.
    public enum Shortcut {
        /// y = ... + x (same width and resolution).
        case identity
        /// Option A: x[:, :, ::stride, ::stride] zero-padded in channels; no parameters.
        case zeroPadding(stride: Int)
        /// Option B: `downsample` = Sequential(1x1 conv with stride, BatchNorm).
        case projection(Sequential)
    }

    /// `conv1`: 3x3, the block's stride, no bias.
    public let convolution1: Conv2d
    /// `bn1`.
    public let batchNorm1: BatchNorm
    /// `conv2`: 3x3, stride 1, no bias; writes the residual stream.
    public let convolution2: Conv2d
    /// `bn2`.
    public let batchNorm2: BatchNorm
    /// The shortcut branch.
    public let shortcut: Shortcut

    /// A block from its layers (named by the caller, e.g. `layer2.0.conv1`).
    public init(convolution1: Conv2d, batchNorm1: BatchNorm, convolution2: Conv2d, batchNorm2: BatchNorm, shortcut: Shortcut) {
        self.convolution1 = convolution1
        self.batchNorm1 = batchNorm1
        self.convolution2 = convolution2
        self.batchNorm2 = batchNorm2
        self.shortcut = shortcut
    }

    /// conv1, bn1, conv2, bn2, then downsample for option B (PyTorch registration order).
    public var children: [Layer] {
        let main: [Layer] = [convolution1, batchNorm1, convolution2, batchNorm2]
        if case let .projection(downsample) = shortcut { return main + [downsample] }
        return main
    }

    /// y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
    public func callAsFunction(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        if context.fusesInference {
            let hidden = try convolution1.inference(input, batchNorm: batchNorm1, relu: true, context)
            let shortcut = try shortcutBranch(input, outputChannels: convolution2.outputChannels, context)
            return try convolution2.inference(hidden, batchNorm: batchNorm2, residual: shortcut, relu: true, context)
        }
        let hidden = try batchNorm1.withReLU(try convolution1(input, context), context)
        let output = try convolution2(hidden, context)
        let shortcut = try shortcutBranch(input, outputChannels: output.shape[1], context)
        return try batchNorm2.withReLU(output, context, residual: shortcut)
    }

    private func shortcutBranch(_ input: Variable, outputChannels: Int, _ context: ForwardContext) throws -> Variable {
        switch shortcut {
        case .identity:
            return input
        case let .zeroPadding(stride):
            let padding = outputChannels - input.shape[1]
            guard padding >= 0 else {
                throw PruneKitError.shapeMismatch(operation: "BasicBlock option-A shortcut",
                                                  expected: "at most \(outputChannels) input channels",
                                                  found: "\(input.shape[1]) (\(convolution1.weight.name))")
            }
            return try subsampleAndPadChannels(input, stride: stride, before: padding / 2, after: padding - padding / 2)
        case let .projection(downsample):
            return try downsample(input, context)
        }
    }
}
