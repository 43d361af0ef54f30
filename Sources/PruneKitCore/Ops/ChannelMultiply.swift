// Legend: N batch, C channels, S = product of the axes after the channel axis (H*W, or 1).

/// Multiplies each channel by one factor: y[n, c, ...] = x[n, c, ...] * v[c]. For masks and gates.
///
/// Shapes: input [N, C] or [N, C, H, W], factors [C]; output as input.
/// Backward: dx = dy * v[c]; dv[c] = sum_{n, ...} dy * x.
public func multiplyChannels(_ input: Variable, by factors: Variable) throws -> Variable {
    let shape = input.shape
    guard shape.count >= 2, factors.shape == [shape[1]] else {
        throw PruneKitError.shapeMismatch(operation: "multiplyChannels", expected: "factors [\(shape.count >= 2 ? shape[1] : 0)] for input \(shape)",
                                          found: "factors \(factors.shape)")
    }
    let (N, C) = (shape[0], shape[1]), S = shape.dropFirst(2).reduce(1, *)
    let x = input.value.storage.pointer, v = factors.value.storage.pointer
    var output = Tensor(zeros: shape, zeroed: false)
    output.withUnsafeMutableBufferPointer { y in
        for n in 0..<N { for c in 0..<C { let base = (n * C + c) * S; for i in 0..<S { y[base + i] = x[base + i] * v[c] } } }
    }
    return Variable(output, operation: "multiplyChannels", parents: [input, factors]) { dy in
        let g = dy.storage.pointer
        if input.requiresGradient {
            var dx = Tensor(zeros: shape, zeroed: false)
            dx.withUnsafeMutableBufferPointer { dx in
                for n in 0..<N { for c in 0..<C { let base = (n * C + c) * S; for i in 0..<S { dx[base + i] = g[base + i] * v[c] } } }
            }
            input.accumulateGradient(dx)
        }
        if factors.requiresGradient {
            var dv = Tensor(zeros: [C])
            dv.withUnsafeMutableBufferPointer { dv in
                for n in 0..<N { for c in 0..<C {
                    let base = (n * C + c) * S
                    var total: Float = 0
                    for i in 0..<S { total += g[base + i] * x[base + i] }
                    dv[c] += total
                } }
            }
            factors.accumulateGradient(dv)
        }
    }
}
