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

    /// (sum dz, sum dz * (x - mean)) over channel c, with dz = dy where y > 0 (ReLU) or dz = dy.
    static func gradientSums(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, _ x: UnsafePointer<Float>,
                             channel c: Int, _ N: Int, _ C: Int, _ S: Int, mean: Float) -> (Double, Double) {
        let meanVector = Vector(repeating: mean), zero = Vector()
        var sumDz: Double = 0, sumDzX: Double = 0
        for n in 0..<N {
            let offset = (n * C + c) * S, g = dy + offset, source = x + offset
            let out = y.map { $0 + offset }
            var s1 = Vector(), s2 = Vector(), i = 0
            while i + 16 <= S {
                var dz = load(g, i)
                if let out { dz.replace(with: zero, where: load(out, i) .<= zero) }
                s1 += dz
                s2 += dz * (load(source, i) - meanVector)
                i += 16
            }
            var t1 = s1.sum(), t2 = s2.sum()
            while i < S {
                let dz = (out.map { $0[i] > 0 } ?? true) ? g[i] : 0
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
    static func inputGradient(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, _ x: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ dr: UnsafeMutablePointer<Float>?, channel c: Int,
                              _ N: Int, _ C: Int, _ S: Int, p: Float, q: Float, s: Float) {
        let pv = Vector(repeating: p), qv = Vector(repeating: q), sv = Vector(repeating: s), zero = Vector()
        for n in 0..<N {
            let offset = (n * C + c) * S, g = dy + offset, source = x + offset, target = dx + offset
            let out = y.map { $0 + offset }, residual = dr.map { $0 + offset }
            var i = 0
            while i + 16 <= S {
                var dz = load(g, i)
                if let out { dz.replace(with: zero, where: load(out, i) .<= zero) }
                store(pv * dz + qv * load(source, i) + sv, target, i)
                if let residual { store(dz, residual, i) }
                i += 16
            }
            while i < S {
                let dz = (out.map { $0[i] > 0 } ?? true) ? g[i] : 0
                target[i] = p * dz + q * source[i] + s
                residual?[i] = dz
                i += 1
            }
        }
    }
}
