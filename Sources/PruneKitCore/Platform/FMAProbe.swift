import PruneKitKernels

/// fp32 FLOP per cycle as measured: 12 independent chains of the widest FMA (AVX-512F, else AVX2 + FMA) on every
/// thread at once, each thread's best FMA rate over its best dependent-add rate (the clock, as `ClockProbe`). It checks
/// the CPUID table: a hypervisor may report an older family than the host runs, and SMT siblings share FMA pipes.
///
/// ```swift
/// let fma = FMAProbe.measure(threads: 2, seconds: 0.1)
/// print(fma.meanFlopsPerCycle)   // 31.99 on Zen 4 (AVX-512 on 2 x 256-bit pipes)
/// ```
public struct FMAProbe: Codable, Equatable, Sendable {
    /// Measured fp32 FLOP per cycle of each thread (empty without FMA or off x86-64).
    public var threadFlopsPerCycle: [Double]

    /// Creates a measurement from known per-thread figures (tests).
    public init(threadFlopsPerCycle: [Double]) {
        self.threadFlopsPerCycle = threadFlopsPerCycle
    }

    /// Mean FLOP per cycle over the threads (0 when nothing ran).
    public var meanFlopsPerCycle: Double {
        threadFlopsPerCycle.isEmpty ? 0 : threadFlopsPerCycle.reduce(0, +) / Double(threadFlopsPerCycle.count)
    }

    /// Runs the FMA chains on `threads` threads (1...256) at once for `seconds`.
    public static func measure(threads: Int, seconds: Double = 0.1) -> FMAProbe {
        let count = min(max(threads, 1), 256)
        var figures = [Double](repeating: 0, count: count)
        let ran = figures.withUnsafeMutableBufferPointer { pk_probe_fma(Int32(count), seconds, $0.baseAddress) }
        return FMAProbe(threadFlopsPerCycle: Array(figures.prefix(Int(ran))))
    }
}
