/// Reductions. Float sums use SIMD16 accumulators because the compiler will not reassociate a scalar
/// float sum (4-12x slower, ../shared/SWIFT-BLAS.md §5).
extension Tensor {
    /// Sum of all elements.
    public func sum() -> Float { withUnsafeBufferPointer { simdSum($0.baseAddress!, $0.count) } }

    /// Mean of all elements (0 for an empty tensor).
    public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }

    /// Largest absolute element (the L-infinity norm).
    public func maxAbsolute() -> Float { withUnsafeBufferPointer { $0.reduce(0) { max($0, abs($1)) } } }

    /// Sum of squares.
    public func squaredNorm() -> Float {
        withUnsafeBufferPointer { buffer in
            var accumulator = SIMD16<Float>()
            let base = buffer.baseAddress!
            let vectorCount = buffer.count / 16
            let raw = UnsafeRawPointer(base)
            for v in 0..<vectorCount {
                let x = raw.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Float>.self)
                accumulator += x * x
            }
            var total = accumulator.sum()
            for i in (vectorCount * 16)..<buffer.count { total += base[i] * base[i] }
            return total
        }
    }

    /// Index of the largest element in each row of a rank-2 tensor [rows, columns].
    public func argmaxRows() -> [Int] {
        precondition(rank == 2, "argmaxRows needs a rank-2 tensor, got \(shape)")
        let columns = shape[1]
        return withUnsafeBufferPointer { buffer in
            (0..<shape[0]).map { row in
                var best = 0
                for column in 1..<max(columns, 1) where buffer[row * columns + column] > buffer[row * columns + best] {
                    best = column
                }
                return best
            }
        }
    }
}

/// Sum of `count` floats with a SIMD16 accumulator.
@inline(__always)
func simdSum(_ base: UnsafePointer<Float>, _ count: Int) -> Float {
    var accumulator = SIMD16<Float>()
    let vectorCount = count / 16
    let raw = UnsafeRawPointer(base)
    for v in 0..<vectorCount { accumulator += raw.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Float>.self) }
    var total = accumulator.sum()
    for i in (vectorCount * 16)..<count { total += base[i] }
    return total
}
