import Foundation
import PruneKitCore

/// Weight initialisers as functions of shape, fan and generator.
public enum Initializers {
    /// He et al. (ICCV 2015) normal: N(0, 2 / fan), fan = fanIn or fanOut as the model chooses
    /// (torchvision's ResNets use fan-out, mode='fan_out', for convolutions).
    public static func kaimingNormal(shape: [Int], fan: Int, generator: inout SplitMix64) -> Tensor {
        var result = Tensor(zeros: shape, zeroed: false)
        kaimingNormal(filling: &result, fan: fan, generator: &generator)
        return result
    }

    /// `kaimingNormal(shape:fan:generator:)` written into an allocated tensor (same draws, same values).
    public static func kaimingNormal(filling tensor: inout Tensor, fan: Int, generator: inout SplitMix64) {
        tensor.fillNormal(standardDeviation: (2 / Float(max(fan, 1))).squareRoot(), generator: &generator)
    }

    /// PyTorch's default for Conv2d and Linear weights (kaiming_uniform with a = sqrt(5)) and biases:
    /// U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
    public static func pytorchDefault(shape: [Int], fanIn: Int, generator: inout SplitMix64) -> Tensor {
        var result = Tensor(zeros: shape, zeroed: false)
        pytorchDefault(filling: &result, fanIn: fanIn, generator: &generator)
        return result
    }

    /// `pytorchDefault(shape:fanIn:generator:)` written into an allocated tensor (same draws, same values).
    ///
    /// ```swift
    /// var bias = try Tensor(allocating: [500], zeroed: false, purpose: "fc1.bias")
    /// Initializers.pytorchDefault(filling: &bias, fanIn: 800, generator: &generator)
    /// ```
    public static func pytorchDefault(filling tensor: inout Tensor, fanIn: Int, generator: inout SplitMix64) {
        let bound = 1 / Float(max(fanIn, 1)).squareRoot()
        tensor.fillUniform(low: -bound, high: bound, generator: &generator)
    }
}
