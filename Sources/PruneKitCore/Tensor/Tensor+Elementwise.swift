/// Elementwise arithmetic without a tape. Loops run on raw buffers so they auto-vectorise.
extension Tensor {
    /// Throws unless `other` has exactly this tensor's shape.
    public func checkSameShape(as other: Tensor, operation: String) throws {
        guard shape == other.shape else {
            throw PruneKitError.shapeMismatch(operation: operation, expected: "\(shape)", found: "\(other.shape)")
        }
    }

    /// self += alpha * other (axpy). Shapes must match.
    public mutating func addScaled(_ other: Tensor, alpha: Float = 1) throws {
        try checkSameShape(as: other, operation: "addScaled")
        other.withUnsafeBufferPointer { source in
            withUnsafeMutableBufferPointer { target in
                axpy(alpha, source.baseAddress!, target.baseAddress!, source.count)
            }
        }
    }

    /// self *= factor.
    public mutating func scale(by factor: Float) {
        withUnsafeMutableBufferPointer { buffer in
            for i in 0..<buffer.count { buffer[i] *= factor }
        }
    }

    /// Sets every element to `value`.
    public mutating func fill(_ value: Float) {
        withUnsafeMutableBufferPointer { $0.update(repeating: value) }
    }

    /// A new tensor with `transform` applied to each element (setup code; kernels use buffers).
    public func map(_ transform: (Float) -> Float) -> Tensor {
        var result = Tensor(zeros: shape, zeroed: false)
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for i in 0..<source.count { target[i] = transform(source[i]) }
            }
        }
        return result
    }

    /// Elementwise sum; shapes must match.
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        var result = lhs
        try result.addScaled(rhs)
        return result
    }

    /// Elementwise difference; shapes must match.
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        var result = lhs
        try result.addScaled(rhs, alpha: -1)
        return result
    }
}

/// y[i] += alpha * x[i] over `count` floats; the loop the compiler vectorises.
@inline(__always)
func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { y[i] += alpha * x[i] }
}
