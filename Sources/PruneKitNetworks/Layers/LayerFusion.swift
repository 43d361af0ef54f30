import PruneKitCore

/// Runs `layers` in order, replacing each BatchNorm immediately followed by a ReLU with the fused
/// `batchNormReLU` op (same values; two fewer passes over memory each way and one cached tensor less), and,
/// in evaluation without gradients, each Conv2d [+ BatchNorm] [+ ReLU] run with one `Conv2d.inference` call.
///
/// ```swift
/// let y = try forwardFusingBatchNormReLU([conv, batchNorm, ReLU()], x, context)   // conv, then batchNormReLU
/// ```
public func forwardFusingBatchNormReLU(_ layers: [Layer], _ input: Variable, _ context: ForwardContext) throws -> Variable {
    var value = input, index = 0
    while index < layers.count {
        if context.fusesInference, let convolution = layers[index] as? Conv2d {
            let batchNorm = index + 1 < layers.count ? layers[index + 1] as? BatchNorm : nil
            let next = index + 1 + (batchNorm == nil ? 0 : 1)
            let relu = next < layers.count && layers[next] is ReLU
            value = try convolution.inference(value, batchNorm: batchNorm, relu: relu, context)
            index = next + (relu ? 1 : 0)
        } else if let batchNorm = layers[index] as? BatchNorm, index + 1 < layers.count, layers[index + 1] is ReLU {
            value = try batchNorm.withReLU(value, context)
            index += 2
        } else {
            value = try layers[index](value, context)
            index += 1
        }
    }
    return value
}
