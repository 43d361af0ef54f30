import PruneKitKernels

// Legend: N rows (batch), I input features, O output features.

/// Fully connected layer, as PyTorch's `linear`: y = x W^T + b. The GEMMs are split by rows across threads.
///
/// Shapes: input [N, I], weight [O, I] (PyTorch layout), bias [O] or nil; output [N, O].
/// Backward: dx = dy W, dW += dy^T x, db += sum_n dy.
public func linear(_ input: Variable, weight: Variable, bias: Variable?) throws -> Variable {
    guard input.value.rank == 2, weight.value.rank == 2, input.shape[1] == weight.shape[1] else {
        throw PruneKitError.shapeMismatch(operation: "linear", expected: "input [N, \(weight.shape.last ?? 0)] for weight \(weight.shape)",
                                          found: "input \(input.shape)")
    }
    let (N, I, O) = (input.shape[0], input.shape[1], weight.shape[0])
    if let bias, bias.shape != [O] {
        throw PruneKitError.shapeMismatch(operation: "linear", expected: "bias [\(O)]", found: "bias \(bias.shape)")
    }
    var output = Tensor(zeros: [N, O], zeroed: false)
    output.withUnsafeMutableBufferPointer { y in
        let y = y.baseAddress!
        if ConvolutionKernels.isEnabled {
            linearForwardKernel(input.value, weight.value, bias?.value, y)
            return
        }
        if let bias { for n in 0..<N { (y + n * O).update(from: bias.value.storage.pointer, count: O) } }
        BLAS.parallelSgemm(transposeA: false, transposeB: true, m: N, n: O, k: I, alpha: 1, a: input.value.storage.pointer, lda: I,
                   b: weight.value.storage.pointer, ldb: I, beta: bias == nil ? 0 : 1, c: y, ldc: O)
    }
    let parents = [input, weight] + (bias.map { [$0] } ?? [])
    return Variable(output, operation: "linear", parents: parents) { dy in
        if input.requiresGradient {
            var dx = Tensor(zeros: [N, I], zeroed: false)
            dx.withUnsafeMutableBufferPointer { BLAS.parallelSgemm(transposeA: false, transposeB: false, m: N, n: I, k: O, alpha: 1,
                a: dy.storage.pointer, lda: O, b: weight.value.storage.pointer, ldb: I, beta: 0, c: $0.baseAddress!, ldc: I) }
            input.accumulateGradient(dx)
        }
        if weight.requiresGradient {
            var dw = Tensor(zeros: [O, I], zeroed: false)
            dw.withUnsafeMutableBufferPointer { BLAS.parallelSgemm(transposeA: true, transposeB: false, m: O, n: I, k: N, alpha: 1,
                a: dy.storage.pointer, lda: O, b: input.value.storage.pointer, ldb: I, beta: 0, c: $0.baseAddress!, ldc: I) }
            weight.accumulateGradient(dw)
        }
        if let bias, bias.requiresGradient {
            var db = Tensor(zeros: [O])
            db.withUnsafeMutableBufferPointer { db in
                let g = dy.storage.pointer
                for n in 0..<N { axpy(1, g + n * O, db.baseAddress!, O) }
            }
            bias.accumulateGradient(db)
        }
    }
}

/// y = x W^T + b by the AVX-512 kernel `pk_linear_forward` (LinearForward.c), rows of x split across threads:
/// it reads W in place, where OpenBLAS packs all of W on every call (17% of an MLP inference step). Measured on
/// one core, 64 x 784 x 300: 200-207 GFLOP/s against OpenBLAS's 169-174. Sums in another order than sgemm
/// (per-lane partial sums, then a tree): results agree to float rounding, checked against the sgemm path in tests.
/// `relu`: y = max(x W^T + b, 0) in the same pass.
func linearForwardKernel(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ y: UnsafeMutablePointer<Float>, relu: Bool = false) {
    let (N, I, O) = (input.shape[0], input.shape[1], weight.shape[0])
    let x = UnsafePointer(input.storage.pointer), w = UnsafePointer(weight.storage.pointer)
    let b = bias.map { UnsafePointer($0.storage.pointer) }
    Parallel.forEachChunk(count: N, minimumPerChunk: max(1, (1 << 16) / max(I * O, 1))) { _, rows in
        pk_linear_forward(x + rows.lowerBound * I, rows.count, I, w, O, b, relu ? 1 : 0, y + rows.lowerBound * O)
    }
}

/// Matrix product C = A B of rank-2 tensors: [M, K] x [K, N] -> [M, N].
/// Backward: dA = dC B^T, dB = A^T dC.
public func matmul(_ lhs: Variable, _ rhs: Variable) throws -> Variable {
    guard lhs.value.rank == 2, rhs.value.rank == 2, lhs.shape[1] == rhs.shape[0] else {
        throw PruneKitError.shapeMismatch(operation: "matmul", expected: "[M, K] x [K, N]", found: "\(lhs.shape) x \(rhs.shape)")
    }
    let (M, K, N) = (lhs.shape[0], lhs.shape[1], rhs.shape[1])
    var output = Tensor(zeros: [M, N], zeroed: false)
    output.withUnsafeMutableBufferPointer { BLAS.parallelSgemm(transposeA: false, transposeB: false, m: M, n: N, k: K, alpha: 1,
        a: lhs.value.storage.pointer, lda: K, b: rhs.value.storage.pointer, ldb: N, beta: 0, c: $0.baseAddress!, ldc: N) }
    return Variable(output, operation: "matmul", parents: [lhs, rhs]) { dc in
        if lhs.requiresGradient {
            var da = Tensor(zeros: [M, K], zeroed: false)
            da.withUnsafeMutableBufferPointer { BLAS.parallelSgemm(transposeA: false, transposeB: true, m: M, n: K, k: N, alpha: 1,
                a: dc.storage.pointer, lda: N, b: rhs.value.storage.pointer, ldb: N, beta: 0, c: $0.baseAddress!, ldc: K) }
            lhs.accumulateGradient(da)
        }
        if rhs.requiresGradient {
            var db = Tensor(zeros: [K, N], zeroed: false)
            db.withUnsafeMutableBufferPointer { BLAS.parallelSgemm(transposeA: true, transposeB: false, m: K, n: N, k: M, alpha: 1,
                a: lhs.value.storage.pointer, lda: K, b: dc.storage.pointer, ldb: N, beta: 0, c: $0.baseAddress!, ldc: N) }
            rhs.accumulateGradient(db)
        }
    }
}
