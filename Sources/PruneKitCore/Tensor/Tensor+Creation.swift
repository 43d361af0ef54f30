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
        result.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<buffer.count { buffer[i] = low + (high - low) * generator.nextUniform() }
        }
        return result
    }

    /// Independent normal samples with the given mean and standard deviation.
    public static func normal(shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                              generator: inout SplitMix64) -> Tensor {
        var result = Tensor(zeros: shape, zeroed: false)
        result.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<buffer.count { buffer[i] = mean + standardDeviation * generator.nextNormal() }
        }
        return result
    }
}
