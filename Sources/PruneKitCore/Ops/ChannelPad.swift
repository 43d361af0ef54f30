// Legend: N batch, C input channels, H x W input, S stride, OC = C + before + after.

/// The parameter-free ResNet "option A" shortcut (He et al., CVPR 2016, CIFAR ResNets): subsample by
/// `stride` and zero-pad channels, y[n, before + c, i, j] = x[n, c, i*S, j*S], all other channels 0.
///
/// Shapes: input [N, C, H, W]; output [N, C + before + after, ceil(H/S), ceil(W/S)].
/// Backward: dx[n, c, i*S, j*S] = dy[n, before + c, i, j], zero elsewhere.
public func subsampleAndPadChannels(_ input: Variable, stride: Int, before: Int, after: Int) throws -> Variable {
    let shape = input.shape
    guard shape.count == 4, stride >= 1, before >= 0, after >= 0 else {
        throw PruneKitError.invalidArgument(operation: "subsampleAndPadChannels",
                                            message: "need input [N, C, H, W], stride >= 1, padding >= 0; got \(shape), stride \(stride), padding \(before)/\(after)")
    }
    let (N, C, H, W) = (shape[0], shape[1], shape[2], shape[3])
    let (OH, OW, OC) = ((H + stride - 1) / stride, (W + stride - 1) / stride, C + before + after)
    var output = Tensor(zeros: [N, OC, OH, OW], zeroed: false)
    let x = UnsafePointer(input.value.storage.pointer), y = output.withUnsafeMutableBufferPointer { $0.baseAddress! }
    // Images split across threads (this ran on one thread in every ResNet downsampling block).
    Parallel.forEachChunk(count: N, minimumPerChunk: 8) { _, images in
        for n in images {
            let image = y + n * OC * OH * OW
            image.update(repeating: 0, count: before * OH * OW)
            (image + (before + C) * OH * OW).update(repeating: 0, count: after * OH * OW)
            for c in 0..<C { for i in 0..<OH {
                let (source, target) = (x + ((n * C + c) * H + i * stride) * W, image + ((before + c) * OH + i) * OW)
                for j in 0..<OW { target[j] = source[j * stride] }
            } }
        }
    }
    return Variable(output, operation: "subsampleAndPadChannels", parents: [input]) { dy in
        var dx = Tensor(zeros: shape, zeroed: false)
        let g = UnsafePointer(dy.storage.pointer), target = dx.withUnsafeMutableBufferPointer { $0.baseAddress! }
        Parallel.forEachChunk(count: N, minimumPerChunk: 8) { _, images in
            (target + images.lowerBound * C * H * W).update(repeating: 0, count: images.count * C * H * W)
            for n in images { for c in 0..<C { for i in 0..<OH {
                let (row, source) = (target + ((n * C + c) * H + i * stride) * W, g + ((n * OC + before + c) * OH + i) * OW)
                for j in 0..<OW { row[j * stride] = source[j] }
            } } }
        }
        input.accumulateGradient(dx)
    }
}
