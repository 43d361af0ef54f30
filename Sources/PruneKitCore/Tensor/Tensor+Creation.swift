/// Seeded and patterned tensor creation.
extension Tensor {
    /// 0, 1, 2, ... scaled by `step` and shifted by `start`: element i = start + i * step. For golden tests.
    public static func ramp(shape: [Int], start: Float = 0, step: Float = 1) -> Tensor {
        var result = Tensor(zeros: shape, zeroed: false)
        result.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<buffer.count { buffer[i] = start + Float(i) * step }
        }
        return result
    }

    /// Independent uniform samples in [low, high).
    public static func uniform(shape: [Int], low: Float = 0, high: Float = 1,
                               generator: inout SplitMix64) -> Tensor {
        var result = Tensor(zeros: shape, zeroed: false)
        result.fillUniform(low: low, high: high, generator: &generator)
        return result
    }

    /// Independent normal samples with the given mean and standard deviation.
    public static func normal(shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                              generator: inout SplitMix64) -> Tensor {
        var result = Tensor(zeros: shape, zeroed: false)
        result.fillNormal(mean: mean, standardDeviation: standardDeviation, generator: &generator)
        return result
    }

    /// Overwrites every element, in row-major order, with the draws `uniform(shape:low:high:generator:)` makes:
    /// for a tensor allocated elsewhere (`Tensor(allocating:)`), with the same values for the same generator.
    ///
    /// ```swift
    /// var weight = try Tensor(allocating: [500, 800], zeroed: false, purpose: "fc1.weight")
    /// weight.fillUniform(low: -0.035, high: 0.035, generator: &generator)
    /// ```
    public mutating func fillUniform(low: Float = 0, high: Float = 1, generator: inout SplitMix64) {
        withUnsafeMutableBufferPointer { buffer in
            for i in 0..<buffer.count { buffer[i] = low + (high - low) * generator.nextUniform() }
        }
    }

    /// Overwrites every element, in row-major order, with the draws `normal(shape:mean:standardDeviation:generator:)`
    /// makes.
    public mutating func fillNormal(mean: Float = 0, standardDeviation: Float = 1, generator: inout SplitMix64) {
        withUnsafeMutableBufferPointer { buffer in
            for i in 0..<buffer.count { buffer[i] = mean + standardDeviation * generator.nextNormal() }
        }
    }
}
