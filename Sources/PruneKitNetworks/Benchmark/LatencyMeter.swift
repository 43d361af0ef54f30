import PruneKitCore

/// Inference latency at a batch size: median over timed forward passes after warm-up, eval mode, tape off.
public struct LatencyMeasurement: Codable, Equatable {
    /// Images per forward pass.
    public var batchSize: Int
    /// Median milliseconds per forward pass.
    public var milliseconds: Double
    /// batchSize * 1000 / milliseconds (encoded in JSON too, never decoded).
    public var imagesPerSecond: Double { Double(batchSize) * 1000 / milliseconds }

    private enum CodingKeys: String, CodingKey { case batchSize, milliseconds, imagesPerSecond }
    /// A measurement of `milliseconds` per forward pass at `batchSize`.
    public init(batchSize: Int, milliseconds: Double) { (self.batchSize, self.milliseconds) = (batchSize, milliseconds) }
    /// Decodes `batchSize` and `milliseconds`; a stored `imagesPerSecond` is ignored (it is derived).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        milliseconds = try container.decode(Double.self, forKey: .milliseconds)
    }
    /// Encodes `batchSize`, `milliseconds` and the derived `imagesPerSecond`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(milliseconds, forKey: .milliseconds)
        try container.encode(imagesPerSecond, forKey: .imagesPerSecond)
    }
}

/// Measures forward latency the same way for dense and pruned models (same threads, warm-up, median), so
/// speedups are comparable.
public enum LatencyMeter {
    /// For each batch size: `warmup` untimed passes, then the median of `repetitions` timed passes
    /// (at least ~0.5 s of timing for fast models: repetitions grow until then, up to 200).
    public static func measure(_ model: Layer, inputShape: [Int], batchSizes: [Int], warmup: Int = 2,
                               repetitions: Int = 7) throws -> [LatencyMeasurement] {
        var generator = SplitMix64(seed: 1)
        let context = ForwardContext(training: false)
        return try batchSizes.map { batch in
            let input = Variable(Tensor.normal(shape: [batch] + inputShape, generator: &generator))
            try GradientMode.withoutGradients {
                for _ in 0..<warmup { _ = try model(input, context) }
            }
            var times: [Double] = []
            let start = Profiler.now()
            while times.count < repetitions || (Profiler.now() - start < 0.5 && times.count < 200) {
                let begin = Profiler.now()
                _ = try GradientMode.withoutGradients { try model(input, context) }
                times.append((Profiler.now() - begin) * 1000)
            }
            return LatencyMeasurement(batchSize: batch, milliseconds: times.sorted()[times.count / 2])
        }
    }
}
