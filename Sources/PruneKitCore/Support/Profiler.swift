import Foundation

/// Accumulates wall time per kernel category ("sgemm", "im2col", "col2im", ...) summed over threads.
///
/// Off by default (one branch per kernel call). `prune-cli bench ops` and `--profile` switch it on to
/// report where time goes. Times are thread-seconds: with two workers busy for 1 s, a category shows 2 s.
/// Kernels that know their arithmetic also record it (`measure(_:flops:_:)`), so a profile shows each
/// kernel's own rate, GFLOP/s per busy thread = FLOPs / thread-seconds, beside its share of the time.
public enum Profiler {
    nonisolated(unsafe) public static var isEnabled = false
    nonisolated(unsafe) private static var totals: [String: Double] = [:]
    nonisolated(unsafe) private static var work: [String: Double] = [:]
    private static let lock = NSLock()

    /// Monotonic seconds.
    @inline(__always)
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }

    /// Adds `seconds` to `category` (thread-safe).
    public static func record(_ category: String, _ seconds: Double, flops: Double = 0) {
        lock.lock()
        totals[category, default: 0] += seconds
        if flops > 0 { work[category, default: 0] += flops }
        lock.unlock()
    }

    /// Runs `body`, charging its duration to `category` when profiling is on.
    @inline(__always)
    public static func measure<T>(_ category: String, _ body: () throws -> T) rethrows -> T {
        try measure(category, flops: 0, body)
    }

    /// `measure`, also charging `flops` floating-point operations (a multiply-add counts 2) to `category`.
    @inline(__always)
    public static func measure<T>(_ category: String, flops: Double, _ body: () throws -> T) rethrows -> T {
        guard isEnabled else { return try body() }
        let start = now()
        defer { record(category, now() - start, flops: flops) }
        return try body()
    }

    nonisolated(unsafe) private static var lastMark: Double = 0

    /// Starts attributing forward time: the next op's time runs from here.
    public static func startForward() { if isEnabled { lastMark = now() } }

    /// Charges the time since the previous op (or `startForward`) to "forward.<operation>". Called when an
    /// op creates its output; layer glue between ops is charged to the op that follows it.
    @inline(__always)
    public static func markOperation(_ operation: String) {
        guard isEnabled else { return }
        let time = now()
        record("forward." + operation, time - lastMark)
        lastMark = time
    }

    /// The accumulated totals, and a reset.
    public static func snapshot(reset: Bool = false) -> [String: Double] {
        lock.lock(); defer { lock.unlock() }
        let result = totals
        if reset { totals = [:]; work = [:] }
        return result
    }

    /// GFLOP/s per busy thread of each category that recorded FLOPs: its FLOPs / its thread-seconds / 1e9.
    public static func rates() -> [String: Double] {
        lock.lock(); defer { lock.unlock() }
        var result: [String: Double] = [:]
        for (category, flops) in work {
            if let seconds = totals[category], seconds > 0 { result[category] = flops / seconds / 1e9 }
        }
        return result
    }
}
