/// Multiplies a tensor by a constant mask, element by element: y = x ⊙ m. Layers with a fixed sparsity pattern
/// (DARB's block-max masks, Ren et al. AAAI 2020; a linear layer's kept columns) pass their weight through it while
/// gradients are recorded, so that masked entries get exactly zero gradient and stay zero under SGD with weight decay
/// and momentum.
///
/// Shapes: input and mask the same shape; output as input. Backward: dx = dy ⊙ m (the mask gets no gradient).
///
/// ```swift
/// let effective = try multiplyMask(weight, by: mask)   // mask: 0/1 tensor of the weight's shape
/// ```
public func multiplyMask(_ input: Variable, by mask: Tensor) throws -> Variable {
    guard mask.shape == input.shape else {
        throw PruneKitError.shapeMismatch(operation: "multiplyMask", expected: "mask \(input.shape)", found: "mask \(mask.shape)")
    }
    let output = product(input.value, mask)
    return Variable(output, operation: "multiplyMask", parents: [input]) { dy in
        if input.requiresGradient { input.accumulateGradient(product(dy, mask)) }
    }
}

/// a ⊙ b for tensors of one shape.
private func product(_ a: Tensor, _ b: Tensor) -> Tensor {
    var result = Tensor(zeros: a.shape, zeroed: false)
    let (x, m) = (a.storage.pointer, b.storage.pointer)
    result.withUnsafeMutableBufferPointer { y in for index in y.indices { y[index] = x[index] * m[index] } }
    return result
}
