// Legend: N batch, C channels, S = H*W values per plane (1 for [N, C] input), M = N*S values per channel.
// Channel c's values are N planes of S contiguous floats at x + (n*C + c)*S.

/// The per-channel loops of batch normalisation (with optional fused residual add and ReLU), as SIMD16
/// loops: sums need explicit vector accumulators because the compiler will not reassociate a float sum, and
/// the ReLU mask must be a vector select (a scalar `y > 0 ? dy : 0` compiled to a mispredicted branch per
/// element: 16% of a ResNet-20 training step). Callers parallelise over channels.
enum BatchNormKernels {
    typealias Vector = SIMD16<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    @inline(__always) static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Vector.self)
    }

    /// Batch mean and biased variance of channel c. Sums run over d = x - shift with shift = the channel's
    /// first value, so E[d^2] - E[d]^2 does not cancel when |mean| >> std; plane sums are added in Double.
    static func meanAndVariance(_ x: UnsafePointer<Float>, channel c: Int, _ N: Int, _ C: Int, _ S: Int) -> (mean: Float, variance: Float) {
        let shift = x[c * S], shiftVector = Vector(repeating: shift)
        var total: Double = 0, squares: Double = 0
        for n in 0..<N {
            let plane = x + (n * C + c) * S
            var s1 = Vector(), s2 = Vector(), i = 0
            while i + 16 <= S { let d = load(plane, i) - shiftVector; s1 += d; s2 += d * d; i += 16 }
            var t1 = s1.sum(), t2 = s2.sum()
            while i < S { let d = plane[i] - shift; t1 += d; t2 += d * d; i += 1 }
            total += Double(t1)
            squares += Double(t2)
        }
        let count = Double(N * S), meanShift = total / count
        return (Float(Double(shift) + meanShift), Float(max(squares / count - meanShift * meanShift, 0)))
    }

    /// y = act(a*x + b + r) over channel c: r = residual (or 0), act = ReLU or identity.
    static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, channel c: Int, _ N: Int, _ C: Int,
                       _ S: Int, a: Float, b: Float, residual: UnsafePointer<Float>?, relu: Bool) {
        let av = Vector(repeating: a), bv = Vector(repeating: b), zero = Vector()
        for n in 0..<N {
            let offset = (n * C + c) * S, source = x + offset, target = y + offset
            let r = residual.map { $0 + offset }
            var i = 0
            while i + 16 <= S {
                var v = load(source, i) * av + bv
                if let r { v += load(r, i) }
                if relu { v.replace(with: zero, where: v .< zero) }  // pointwiseMax is a scalar loop through the stack
                store(v, target, i)
                i += 16
            }
            while i < S {
                var v = source[i] * a + b + (r?[i] ?? 0)
                if relu { v = max(v, 0) }
                target[i] = v
                i += 1
            }
        }
    }

    /// Where the ReLU mask of a backward pass comes from: none (plain batch norm), the cached output y (with a
    /// residual, y > 0 depends on it), or the forward's own affine map, y > 0 <=> a*x + b > 0 (computed exactly as
    /// `affine` does, so the mask is bit-identical and y need not be read).
    enum Mask {
        case none
        case output(UnsafePointer<Float>)
        case affine(a: Float, b: Float)
    }

    /// dz = dy masked as `mask` says, for the 16 values at plane offset i (x the channel's input plane).
    @inline(__always)
    static func maskedGradient(_ g: UnsafePointer<Float>, _ source: UnsafePointer<Float>, _ offset: Int, _ i: Int,
                               _ mask: Mask) -> Vector {
        var dz = load(g, i)
        switch mask {
        case .none: break
        case .output(let y): dz.replace(with: Vector(), where: load(y + offset, i) .<= Vector())
        case .affine(let a, let b):
            dz.replace(with: Vector(), where: load(source, i) * Vector(repeating: a) + Vector(repeating: b) .<= Vector())
        }
        return dz
    }

    /// The scalar form of `maskedGradient`.
    @inline(__always)
    static func maskedGradient(_ g: UnsafePointer<Float>, _ source: UnsafePointer<Float>, _ offset: Int, _ i: Int,
                               _ mask: Mask) -> Float {
        switch mask {
        case .none: return g[i]
        case .output(let y): return y[offset + i] > 0 ? g[i] : 0
        case .affine(let a, let b): return source[i] * a + b > 0 ? g[i] : 0
        }
    }

    /// (sum dz, sum dz * (x - mean)) over channel c, dz = dy masked as `mask` says.
    static func gradientSums(_ dy: UnsafePointer<Float>, _ mask: Mask, _ x: UnsafePointer<Float>,
                             channel c: Int, _ N: Int, _ C: Int, _ S: Int, mean: Float) -> (Double, Double) {
        let meanVector = Vector(repeating: mean)
        var sumDz: Double = 0, sumDzX: Double = 0
        for n in 0..<N {
            let offset = (n * C + c) * S, g = dy + offset, source = x + offset
            var s1 = Vector(), s2 = Vector(), i = 0
            while i + 16 <= S {
                let dz: Vector = maskedGradient(g, source, offset, i, mask)
                s1 += dz
                s2 += dz * (load(source, i) - meanVector)
                i += 16
            }
            var t1 = s1.sum(), t2 = s2.sum()
            while i < S {
                let dz: Float = maskedGradient(g, source, offset, i, mask)
                t1 += dz
                t2 += dz * (source[i] - mean)
                i += 1
            }
            sumDz += Double(t1)
            sumDzX += Double(t2)
        }
        return (sumDz, sumDzX)
    }

    /// dx = p*dz + q*x + s over channel c (dz as in `gradientSums`); also dr = dz when `dr` is given.
    static func inputGradient(_ dy: UnsafePointer<Float>, _ mask: Mask, _ x: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ dr: UnsafeMutablePointer<Float>?, channel c: Int,
                              _ N: Int, _ C: Int, _ S: Int, p: Float, q: Float, s: Float) {
        let pv = Vector(repeating: p), qv = Vector(repeating: q), sv = Vector(repeating: s)
        for n in 0..<N {
            let offset = (n * C + c) * S, g = dy + offset, source = x + offset, target = dx + offset
            let residual = dr.map { $0 + offset }
            var i = 0
            while i + 16 <= S {
                let dz: Vector = maskedGradient(g, source, offset, i, mask)
                store(pv * dz + qv * load(source, i) + sv, target, i)
                if let residual { store(dz, residual, i) }
                i += 16
            }
            while i < S {
                let dz: Float = maskedGradient(g, source, offset, i, mask)
                target[i] = p * dz + q * source[i] + s
                residual?[i] = dz
                i += 1
            }
        }
    }
}
