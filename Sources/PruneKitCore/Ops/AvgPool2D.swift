// Legend: N batch, C channels, H x W input, OH x OW output, K kernel, S stride, P padding.

/// 2-D average pooling over NCHW input; zero padding is counted in the divisor K*K
/// (PyTorch's default `count_include_pad=True`).
///
/// y[n, c, i, j] = (1 / K^2) sum_{kh, kw} x[n, c, i*S - P + kh, j*S - P + kw]; output [N, C, OH, OW].
/// Backward: each input in a window receives dy / K^2.
public func avgPool2d(_ input: Variable, kernelSize: Int, stride: Int? = nil, padding: Int = 0) throws -> Variable {
    let g = try poolingGeometry("avgPool2d", input.shape, kernelSize, stride ?? kernelSize, padding)
    let (N, C, H, W, OH, OW) = (input.shape[0], g.channels, g.height, g.width, g.outputHeight, g.outputWidth)
    let scale = 1 / Float(kernelSize * kernelSize)
    var output = Tensor(zeros: [N, C, OH, OW])
    let x = input.value.storage.pointer
    output.withUnsafeMutableBufferPointer { y in
        forEachPoolWindow(N * C, g) { plane, o, h, w in y[plane * OH * OW + o] += scale * x[plane * H * W + h * W + w] }
    }
    return Variable(output, operation: "avgPool2d", parents: [input]) { dy in
        var dx = Tensor(zeros: input.shape)
        let gradient = dy.storage.pointer
        dx.withUnsafeMutableBufferPointer { dx in
            forEachPoolWindow(N * C, g) { plane, o, h, w in dx[plane * H * W + h * W + w] += scale * gradient[plane * OH * OW + o] }
        }
        input.accumulateGradient(dx)
    }
}

/// Calls body(plane, output offset within plane, h, w) for every in-image position of every window.
@inline(__always)
private func forEachPoolWindow(_ planes: Int, _ g: WindowGeometry, _ body: (Int, Int, Int, Int) -> Void) {
    for plane in 0..<planes {
        for i in 0..<g.outputHeight { for j in 0..<g.outputWidth {
            for kh in 0..<g.kernelHeight {
                let h = i * g.stride - g.padding + kh
                if h < 0 || h >= g.height { continue }
                for kw in 0..<g.kernelWidth {
                    let w = j * g.stride - g.padding + kw
                    if w >= 0 && w < g.width { body(plane, i * g.outputWidth + j, h, w) }
                }
            }
        } }
    }
}

/// Global average pooling: [N, C, H, W] -> [N, C], y[n, c] = mean_{h,w} x[n, c, h, w].
/// Backward: dx[n, c, h, w] = dy[n, c] / (H*W).
public func globalAveragePool(_ input: Variable) throws -> Variable {
    guard input.value.rank == 4 else {
        throw PruneKitError.shapeMismatch(operation: "globalAveragePool", expected: "input [N, C, H, W]", found: "\(input.shape)")
    }
    let (N, C, S) = (input.shape[0], input.shape[1], input.shape[2] * input.shape[3])
    var output = Tensor(zeros: [N, C], zeroed: false)
    let x = input.value.storage.pointer
    output.withUnsafeMutableBufferPointer { y in
        for plane in 0..<(N * C) { y[plane] = simdSum(x + plane * S, S) / Float(S) }
    }
    return Variable(output, operation: "globalAveragePool", parents: [input]) { dy in
        var dx = Tensor(zeros: input.shape, zeroed: false)
        dx.withUnsafeMutableBufferPointer { dx in
            for plane in 0..<(N * C) { (dx.baseAddress! + plane * S).update(repeating: dy.storage.pointer[plane] / Float(S), count: S) }
        }
        input.accumulateGradient(dx)
    }
}
