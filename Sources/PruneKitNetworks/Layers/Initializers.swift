import Foundation
import PruneKitCore

/// Weight initialisers as functions of shape, fan and generator.
public enum Initializers {
    /// He et al. (ICCV 2015) normal: N(0, 2 / fan), fan = fanIn or fanOut as the model chooses
    /// (torchvision's ResNets use fan-out, mode='fan_out', for convolutions).
    public static func kaimingNormal(shape: [Int], fan: Int, generator: inout SplitMix64) -> Tensor {
        Tensor.normal(shape: shape, standardDeviation: (2 / Float(max(fan, 1))).squareRoot(), generator: &generator)
    }

    /// PyTorch's default for Conv2d and Linear weights (kaiming_uniform with a = sqrt(5)) and biases:
    /// U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
    public static func pytorchDefault(shape: [Int], fanIn: Int, generator: inout SplitMix64) -> Tensor {
        let bound = 1 / Float(max(fanIn, 1)).squareRoot()
        return Tensor.uniform(shape: shape, low: -bound, high: bound, generator: &generator)
    }
}
