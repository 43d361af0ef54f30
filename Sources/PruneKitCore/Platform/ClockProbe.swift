import PruneKitKernels

/// The sustained clock of `threads` threads running at once, measured with a chain of dependent integer adds (one
/// per cycle, ../shared/perf/cpu_probe.c): adds per nanosecond is each thread's effective GHz. Hypervisor
/// time-slicing of the VM's vCPUs shows up as a lower rate (e.g. ~2 GHz each when two vCPUs share a core).
///
/// ```swift
/// let clock = ClockProbe.measure(threads: 2, seconds: 0.3)
/// print(clock.meanGigahertz, clock.minimumGigahertz)   // 4.12 4.10
/// ```
public struct ClockProbe: Codable, Equatable, Sendable {
    /// Effective clock of each thread in GHz (0 off x86-64, where the probe has no add chain).
    public var threadGigahertz: [Double]
    /// Wall time each thread ran, in seconds.
    public var seconds: Double

    /// Creates a measurement from known per-thread rates (tests).
    public init(threadGigahertz: [Double], seconds: Double) {
        self.threadGigahertz = threadGigahertz
        self.seconds = seconds
    }

    /// Mean GHz over the threads: the cycles per second the whole team gets, divided by its size.
    public var meanGigahertz: Double { threadGigahertz.isEmpty ? 0 : threadGigahertz.reduce(0, +) / Double(threadGigahertz.count) }
    /// The slowest thread's GHz (the figure cpu_probe prints as min=).
    public var minimumGigahertz: Double { threadGigahertz.min() ?? 0 }

    /// Runs the add chain on `threads` threads (1...256) at once for `seconds` of wall time.
    public static func measure(threads: Int, seconds: Double = 0.3) -> ClockProbe {
        let count = min(max(threads, 1), 256)
        var rates = [Double](repeating: 0, count: count)
        let ran = rates.withUnsafeMutableBufferPointer { pk_probe_clock(Int32(count), seconds, $0.baseAddress) }
        return ClockProbe(threadGigahertz: Array(rates.prefix(Int(ran))), seconds: seconds)
    }
}
