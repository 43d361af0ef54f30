import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Throughput of one model at one batch size on synthetic data, as PyTorch's bench_models.py measures it.
public struct ModelBenchmarkResult: Codable {
    /// Name of the model's spec, e.g. "resnet20".
    public var model: String
    /// "train" (forward, loss, backward, SGD step) or "infer" (forward only, tape off).
    public var mode: String
    /// Images per step.
    public var batchSize: Int
    /// Worker threads used (`Parallel.threadCount`).
    public var threads: Int
    /// Median milliseconds per step (training: zero_grad + forward + loss + backward + SGD step).
    public var millisecondsPerStep: Double
    /// Median process CPU time per step (user + system, all threads), in ms. About threads x
    /// millisecondsPerStep on a quiet machine; much less means the step waited for cores other processes held.
    public var processorMillisecondsPerStep: Double
    /// Fastest timed step, in ms (the least disturbed one on a shared machine).
    public var bestMillisecondsPerStep: Double
    /// Timed steps behind the median (at least `steps`; more when `minimumSeconds` asked for them).
    public var timedSteps: Int
    /// batchSize * 1000 / millisecondsPerStep.
    public var imagesPerSecond: Double
    /// Forward FLOPs of one image (a multiply-add counts 2), at the widths benchmarked.
    public var forwardFlopsPerImage: Double
    /// Model FLOPs per second: forward FLOPs x batch (x 3 for training) / step time.
    public var gflops: Double
    /// Peak resident set size of the process so far, in MiB (Linux VmHWM).
    public var peakResidentMegabytes: Double
    /// Thread-time share of each profiled category (forward.conv2d, backward.batchNorm, sgemm, optimizer, ...).
    public var profile: [String: Double]?
    /// GFLOP/s per busy thread of each profiled kernel that counts its FLOPs (direct.forward, direct.inputGradient,
    /// direct.weightGradient, sgemm): its FLOPs / its thread-seconds, to set against one core's peak.
    public var profileRates: [String: Double]? = nil
    /// The CPU's derived fp32 peak for these threads (`ProcessorPeak`), when the caller measured it.
    public var peak: ProcessorPeak? = nil
    /// gflops as a percentage of `peak.gflops` (nil without a peak).
    public var percentOfPeak: Double? = nil

    /// This result with `peak` and `percentOfPeak` filled in.
    public func comparing(with peak: ProcessorPeak) -> ModelBenchmarkResult {
        var result = self
        result.peak = peak
        result.percentOfPeak = peak.percent(ofGflops: gflops)
        return result
    }
}

/// `prune-cli bench train|infer`: steps per second on random input of the model's shape.
public enum ModelBenchmark {
    /// Warm-up as ../shared/perf/bench_models.py does it (at least `warmup` steps, then more until 1 s has
    /// passed or 50 steps have run), then the median of at least `steps` timed steps, continuing until `minimumSeconds` have
    /// passed (at most 2000 steps; a 0.5 ms MLP step needs thousands for a stable median, as PyTorch's script
    /// times for 3 s). With `profile`, one more pass of `steps` steps runs with the profiler on, so profiling
    /// never distorts the timed figure.
    public static func run(_ model: Model, training: Bool, batchSize: Int, steps: Int = 10, warmup: Int = 3,
                           minimumSeconds: Double = 0, profile: Bool = false) throws -> ModelBenchmarkResult {
        var generator = SplitMix64(seed: 1)
        let input = Tensor.normal(shape: [batchSize] + model.spec.inputShape, generator: &generator)
        let labels = (0..<batchSize).map { _ in generator.nextInt(below: model.spec.classCount) }
        let optimizer = try SGD(learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
        let context = ForwardContext(training: training)
        let step = {
            if training {
                model.zeroGradients()
                Profiler.startForward()
                let loss = try softmaxCrossEntropy(model(Variable(input), context), labels: labels)
                try loss.backward()
                Profiler.measure("optimizer") { optimizer.step(model.parameters) }
            } else {
                Profiler.startForward()
                _ = try GradientMode.withoutGradients { try model(Variable(input), context) }
            }
        }
        let warmupStart = Profiler.now()
        var warmed = 0
        while warmed < warmup || (warmed < 50 && Profiler.now() - warmupStart < 1) { try step(); warmed += 1 }
        var wall: [Double] = [], processor: [Double] = []
        let begin = Profiler.now()
        while wall.count < steps || (Profiler.now() - begin < minimumSeconds && wall.count < max(steps, 2000)) {
            let (start, startProcessor) = (Profiler.now(), processorSeconds())
            try step()
            wall.append((Profiler.now() - start) * 1000)
            processor.append((processorSeconds() - startProcessor) * 1000)
        }
        let median = wall.sorted()[wall.count / 2]
        var shares: [String: Double]?, rates: [String: Double]?
        if profile { (shares, rates) = try profileShares(steps: steps, step) }
        let perImage = Double(try model.cost().flops)
        let flops = perImage * Double(batchSize) * (training ? 3 : 1)
        return ModelBenchmarkResult(model: model.spec.name, mode: training ? "train" : "infer", batchSize: batchSize,
                                    threads: Parallel.threadCount, millisecondsPerStep: median,
                                    processorMillisecondsPerStep: processor.sorted()[processor.count / 2],
                                    bestMillisecondsPerStep: wall.min() ?? median, timedSteps: wall.count,
                                    imagesPerSecond: Double(batchSize) * 1000 / median, forwardFlopsPerImage: perImage,
                                    gflops: flops / median / 1e6,
                                    peakResidentMegabytes: peakResidentMegabytes(), profile: shares, profileRates: rates)
    }

    private static func profileShares(steps: Int, _ step: () throws -> Void) throws -> (shares: [String: Double], rates: [String: Double]) {
        _ = Profiler.snapshot(reset: true)
        Profiler.isEnabled = true
        let start = Profiler.now()
        for _ in 0..<steps { try step() }
        let wall = Profiler.now() - start
        Profiler.isEnabled = false
        // Nested categories (sgemm inside backward.conv2d) are reported as their own share of wall time.
        let rates = Profiler.rates()
        return (Profiler.snapshot(reset: true).mapValues { $0 / wall }, rates)
    }

    /// User + system CPU seconds of the whole process so far.
    static func processorSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// VmHWM from /proc/self/status in MiB (0 where unavailable).
    public static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }
}
