/// Inverted dropout (Srivastava et al., JMLR 2014): in training, each element is kept with probability
/// 1 - p and scaled by 1 / (1 - p); in evaluation it is the identity. The mask is drawn from `generator`,
/// so the same seed drops the same units. Backward: dx = dy * mask / (1 - p). Caches the scaled mask.
public func dropout(_ input: Variable, probability: Float, training: Bool, generator: inout SplitMix64) throws -> Variable {
    guard probability >= 0, probability < 1 else {
        throw PruneKitError.invalidArgument(operation: "dropout", message: "probability must be in [0, 1), got \(probability)")
    }
    guard training, probability > 0 else { return input }
    let keep = 1 / (1 - probability)
    var mask = Tensor(zeros: input.shape, zeroed: false)
    mask.withUnsafeMutableBufferPointer { m in
        for i in 0..<m.count { m[i] = generator.nextUniform() < probability ? 0 : keep }
    }
    var output = input.value
    output.withUnsafeMutableBufferPointer { y in
        let m = mask.storage.pointer
        for i in 0..<y.count { y[i] *= m[i] }
    }
    return Variable(output, operation: "dropout", parents: [input]) { dy in
        var dx = dy
        dx.withUnsafeMutableBufferPointer { dx in
            let m = mask.storage.pointer
            for i in 0..<dx.count { dx[i] *= m[i] }
        }
        input.accumulateGradient(dx)
    }
}
