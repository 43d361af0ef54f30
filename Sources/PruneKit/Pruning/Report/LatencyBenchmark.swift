import Foundation

/// Inference latency of one model at one batch size: eval mode, tape off, a seeded random batch, `warmupIterations`
/// untimed passes, then `iterations` timed ones; the median is the figure to quote (the host's clock changes
/// under load: ../shared/perf/README.md). Run dense and pruned with the same `threads`, one after the other.
///
/// ```swift
/// let dense = try LatencyBenchmark.measure(denseModel, batchSize: 128, threads: 2)
/// let pruned = try LatencyBenchmark.measure(prunedModel, batchSize: 128, threads: 2)
/// dense.medianSeconds / pruned.medianSeconds      // speedup
/// ```
public struct LatencyMeasurement: Codable, Equatable {
    /// Images per forward pass.
    public var batchSize: Int
    /// `Parallel.threadCount` during the measurement.
    public var threads: Int
    /// Untimed passes before timing.
    public var warmupIterations: Int
    /// Timed passes.
    public var iterations: Int
    /// Median seconds per pass.
    public var medianSeconds: Double
    /// Fastest pass.
    public var minimumSeconds: Double
    /// Slowest pass.
    public var maximumSeconds: Double

    /// batchSize / median.
    public var imagesPerSecond: Double { Double(batchSize) / max(medianSeconds, 1e-12) }
}

/// Measures `LatencyMeasurement`s.
public enum LatencyBenchmark {
    /// Times `model` (input [batchSize] + `model.spec.inputShape`); `threads` nil keeps the current setting.
    public static func measure(_ model: Model, batchSize: Int, threads: Int? = nil, warmupIterations: Int = 3,
                               iterations: Int = 10, seed: UInt64 = 0) throws -> LatencyMeasurement {
        guard batchSize >= 1, iterations >= 1, warmupIterations >= 0 else {
            throw PruneKitError.invalidArgument(operation: "latency benchmark",
                                                message: "need batch size >= 1, iterations >= 1, warm-up >= 0; got \(batchSize), \(iterations), \(warmupIterations)")
        }
        let previousThreads = Parallel.threadCount
        if let threads { Parallel.threadCount = threads }
        defer { Parallel.threadCount = previousThreads }
        var generator = SplitMix64(seed: seed)
        let input = Variable(Tensor.normal(shape: [batchSize] + model.spec.inputShape, generator: &generator))
        let context = ForwardContext(training: false)
        var times: [Double] = []
        try GradientMode.withoutGradients {
            for iteration in 0..<(warmupIterations + iterations) {
                let start = Profiler.now()
                _ = try model(input, context)
                if iteration >= warmupIterations { times.append(Profiler.now() - start) }
            }
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        return LatencyMeasurement(batchSize: batchSize, threads: Parallel.threadCount, warmupIterations: warmupIterations,
                                  iterations: iterations, medianSeconds: median, minimumSeconds: times.first!,
                                  maximumSeconds: times.last!)
    }
}
