// Legend: N batch, C channels, H x W input, OH x OW output, K kernel, S stride, P padding.

/// 2-D max pooling over NCHW input; padded positions count as -infinity (PyTorch semantics).
///
/// y[n, c, i, j] = max_{kh, kw} x[n, c, i*S - P + kh, j*S - P + kw]. Output [N, C, OH, OW] with
/// OH = (H + 2P - K) / S + 1. Caches the flat argmax of every output (Int32, [N*C*OH*OW]); backward
/// scatters dy there (ties go to the first maximum in row-major window order).
public func maxPool2d(_ input: Variable, kernelSize: Int, stride: Int? = nil, padding: Int = 0) throws -> Variable {
    let g = try poolingGeometry("maxPool2d", input.shape, kernelSize, stride ?? kernelSize, padding)
    let (N, C, H, W, OH, OW) = (input.shape[0], g.channels, g.height, g.width, g.outputHeight, g.outputWidth)
    if !GradientMode.isEnabled { return Variable(maxPool2dValues(input.value, g, N), operation: "maxPool2d", parents: []) { _ in } }
    var output = Tensor(zeros: [N, C, OH, OW], zeroed: false)
    var argmax = [Int32](repeating: 0, count: N * C * OH * OW)
    let x = input.value.storage.pointer
    output.withUnsafeMutableBufferPointer { y in argmax.withUnsafeMutableBufferPointer { index in
        let (y, index) = (y.baseAddress!, index.baseAddress!)
        Parallel.forEachChunk(count: N * C, minimumPerChunk: 64) { _, planes in
            for plane in planes {
                if g.kernelHeight == 2, g.stride == 2, g.padding == 0 {
                    maxPool2x2(x + plane * H * W, W, OH, OW, y + plane * OH * OW, index + plane * OH * OW)
                } else {
                    maxPoolPlane(x + plane * H * W, g, y + plane * OH * OW, index + plane * OH * OW)
                }
            }
        }
    } }
    return Variable(output, operation: "maxPool2d", parents: [input]) { dy in
        var dx = Tensor(zeros: input.shape, zeroed: false)
        let g = UnsafePointer(dy.storage.pointer), target = dx.withUnsafeMutableBufferPointer { $0.baseAddress! }
        argmax.withUnsafeBufferPointer { argmax in
            // Planes split across threads; each zeroes its own planes (VGG's first dx is 33 MB) then scatters.
            Parallel.forEachChunk(count: N * C, minimumPerChunk: 64) { _, planes in
                (target + planes.lowerBound * H * W).update(repeating: 0, count: planes.count * H * W)
                for plane in planes {
                    let (dxPlane, base) = (target + plane * H * W, plane * OH * OW)
                    for o in 0..<(OH * OW) { dxPlane[Int(argmax[base + o])] += g[base + o] }
                }
            }
        }
        input.accumulateGradient(dx)
    }
}

/// Inference: the maxima only, without the argmax a backward pass would need (LeNet-5 spent 18% of an
/// inference step in pooling, most of it writing indices). Same values as the recording path.
private func maxPool2dValues(_ input: Tensor, _ g: WindowGeometry, _ N: Int) -> Tensor {
    let (H, W, OH, OW) = (g.height, g.width, g.outputHeight, g.outputWidth)
    var output = Tensor(zeros: [N, g.channels, OH, OW], zeroed: false)
    let x = input.storage.pointer
    output.withUnsafeMutableBufferPointer { y in
        let y = y.baseAddress!
        Parallel.forEachChunk(count: N * g.channels, minimumPerChunk: 64) { _, planes in
            for plane in planes {
                let (source, target) = (x + plane * H * W, y + plane * OH * OW)
                if g.kernelHeight == 2, g.stride == 2, g.padding == 0 {
                    for i in 0..<OH {
                        let (top, bottom, row) = (source + 2 &* i &* W, source + (2 &* i &+ 1) &* W, target + i &* OW)
                        for j in 0..<OW {
                            row[j] = max(max(top[2 &* j], top[2 &* j &+ 1]), max(bottom[2 &* j], bottom[2 &* j &+ 1]))
                        }
                    }
                } else {
                    maxPoolPlane(source, g, target, nil)
                }
            }
        }
    }
    return output
}

/// Any window: y and, unless `index` is nil, the flat argmax (within the plane) of every output; ties keep the
/// first maximum.
private func maxPoolPlane(_ source: UnsafePointer<Float>, _ g: WindowGeometry, _ y: UnsafeMutablePointer<Float>,
                          _ index: UnsafeMutablePointer<Int32>?) {
    let (H, W) = (g.height, g.width)
    for i in 0..<g.outputHeight { for j in 0..<g.outputWidth {
        var best = -Float.infinity, bestIndex = -1
        for kh in 0..<g.kernelHeight {
            let h = i * g.stride - g.padding + kh
            if h < 0 || h >= H { continue }
            for kw in 0..<g.kernelWidth {
                let w = j * g.stride - g.padding + kw
                if w < 0 || w >= W { continue }
                if source[h * W + w] > best || bestIndex < 0 { best = source[h * W + w]; bestIndex = h * W + w }
            }
        }
        y[i * g.outputWidth + j] = best
        index?[i * g.outputWidth + j] = Int32(bestIndex)
    } }
}

/// The 2x2, stride 2, unpadded window of LeNet and VGG without bounds checks per tap (the general loop made
/// the pooling 30% of a LeNet-5 training step). Same tie rule: a, b, c, d in row-major order, first wins.
private func maxPool2x2(_ source: UnsafePointer<Float>, _ W: Int, _ OH: Int, _ OW: Int, _ y: UnsafeMutablePointer<Float>,
                        _ index: UnsafeMutablePointer<Int32>) {
    for i in 0..<OH {
        let top = source + 2 * i * W, bottom = top + W
        let (outputs, indices) = (y + i * OW, index + i * OW)
        for j in 0..<OW {
            let (a, b, c, d) = (top[2 &* j], top[2 &* j &+ 1], bottom[2 &* j], bottom[2 &* j &+ 1])
            // Selects, not branches (the branchy version mispredicted on random data: 18% of a LeNet step), and
            // wrapping index arithmetic (overflow checks per window were most of what remained).
            let upper = max(a, b), lower = max(c, d)
            let upperOffset = b > a ? 1 : 0, lowerOffset = d > c ? W &+ 1 : W
            let takeLower = lower > upper
            outputs[j] = takeLower ? lower : upper
            indices[j] = Int32(truncatingIfNeeded: 2 &* (i &* W &+ j) &+ (takeLower ? lowerOffset : upperOffset))
        }
    }
}

func poolingGeometry(_ operation: String, _ shape: [Int], _ kernel: Int, _ stride: Int, _ padding: Int) throws -> WindowGeometry {
    guard shape.count == 4 else {
        throw PruneKitError.shapeMismatch(operation: operation, expected: "input [N, C, H, W]", found: "\(shape)")
    }
    guard kernel >= 1, stride >= 1, padding >= 0, padding * 2 <= kernel else {
        throw PruneKitError.invalidArgument(operation: operation, message: "need kernel >= 1, stride >= 1, 0 <= padding <= kernel/2; got kernel \(kernel), stride \(stride), padding \(padding)")
    }
    guard shape[2] + 2 * padding >= kernel, shape[3] + 2 * padding >= kernel else {
        throw PruneKitError.shapeMismatch(operation: operation, expected: "image at least \(kernel)x\(kernel) after padding", found: "\(shape)")
    }
    return WindowGeometry(channels: shape[1], height: shape[2], width: shape[3], kernelHeight: kernel, kernelWidth: kernel,
                          stride: stride, padding: padding)
}
