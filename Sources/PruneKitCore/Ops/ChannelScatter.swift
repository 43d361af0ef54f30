// Legend: N batch, K input channels, OC output channels, H x W spatial extent.

/// Scatters K channels into a wider map of OC channels (the compact form of SFP's residual convolutions, He et al.,
/// IJCAI 2018, official code's `index_add` into the full-width stream):
/// y[n, indices[k], i, j] = x[n, k, i, j]; every channel c not in `indices` is the constant fill[c].
///
/// Shapes: input [N, K, H, W]; `indices` K distinct channels in 0..<OC; `fill` [OC] (only its entries outside
/// `indices` are read); output [N, OC, H, W].
/// Backward: dx[n, k, i, j] = dy[n, indices[k], i, j] (a gather). `fill` is a constant (a buffer): no gradient.
public func scatterChannels(_ input: Variable, indices: [Int], fill: Tensor) throws -> Variable {
    let shape = input.shape
    let OC = fill.shape.count == 1 ? fill.shape[0] : -1
    guard shape.count == 4, shape[1] == indices.count, OC >= 0 else {
        throw PruneKitError.shapeMismatch(operation: "scatterChannels", expected: "input [N, \(indices.count), H, W] and fill [OC]",
                                          found: "input \(shape), fill \(fill.shape)")
    }
    var isTarget = [Bool](repeating: false, count: OC)
    for index in indices {
        guard (0..<OC).contains(index), !isTarget[index] else {
            throw PruneKitError.invalidArgument(operation: "scatterChannels",
                                                message: "indices must be distinct channels in 0..<\(OC); got \(indices)")
        }
        isTarget[index] = true
    }
    let (N, K, plane) = (shape[0], shape[1], shape[2] * shape[3])
    var output = Tensor(zeros: [N, OC, shape[2], shape[3]], zeroed: false)
    let x = UnsafePointer(input.value.storage.pointer), y = output.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let constants = fill.scalars
    Parallel.forEachChunk(count: N, minimumPerChunk: 8) { _, images in
        for n in images {
            let image = y + n * OC * plane
            for c in 0..<OC where !isTarget[c] { (image + c * plane).update(repeating: constants[c], count: plane) }
            for k in 0..<K { (image + indices[k] * plane).update(from: x + (n * K + k) * plane, count: plane) }
        }
    }
    return Variable(output, operation: "scatterChannels", parents: [input]) { dy in
        var dx = Tensor(zeros: shape, zeroed: false)
        let g = UnsafePointer(dy.storage.pointer), target = dx.withUnsafeMutableBufferPointer { $0.baseAddress! }
        Parallel.forEachChunk(count: N, minimumPerChunk: 8) { _, images in
            for n in images { for k in 0..<K {
                (target + (n * K + k) * plane).update(from: g + (n * OC + indices[k]) * plane, count: plane)
            } }
        }
        input.accumulateGradient(dx)
    }
}
