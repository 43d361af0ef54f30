/// Rectified linear unit, y = max(x, 0), any shape.
/// Backward: dx = dy where y > 0, else 0 (the subgradient at 0 is 0, as PyTorch). Caches the output.
public func relu(_ input: Variable) -> Variable {
    var output = Tensor(zeros: input.shape, zeroed: false)
    let x = input.value.storage.pointer, count = input.value.count
    output.withUnsafeMutableBufferPointer { y in
        Parallel.forEachChunk(count: count, minimumPerChunk: 1 << 18) { _, range in
            for i in range { y[i] = max(x[i], 0) }
        }
    }
    return Variable(output, operation: "relu", parents: [input]) { dy in
        var dx = Tensor(zeros: input.shape, zeroed: false)
        let y = output.storage.pointer, g = dy.storage.pointer
        dx.withUnsafeMutableBufferPointer { dx in
            Parallel.forEachChunk(count: count, minimumPerChunk: 1 << 18) { _, range in
                for i in range { dx[i] = y[i] > 0 ? g[i] : 0 }
            }
        }
        input.accumulateGradient(dx)
    }
}
