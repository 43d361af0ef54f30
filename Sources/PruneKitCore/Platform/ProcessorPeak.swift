import Foundation

/// The CPU's fp32 peak for a team of threads, derived rather than assumed: FLOP per cycle per core from CPUID
/// (`FloatingPointDatapath`) x the clock those threads sustain together (`ClockProbe`) x the number of threads.
///
/// Peak GFLOP/s = flopsPerCycle x meanGigahertz x threads. `description` prints the derivation:
///
/// ```swift
/// let peak = ProcessorPeak.measure(threads: 2)
/// print(peak)   // AMD family 0x1A model 0x02 (Zen 5, 2 x 512-bit FMA): 64 FLOP/cycle x 4.12 GHz measured x 2 threads = 527 GFLOP/s
/// print(peak.percent(ofGflops: 263.5))   // 50.0
/// ```
public struct ProcessorPeak: Codable, Equatable, Sendable, CustomStringConvertible {
    /// What CPUID reported.
    public var cpu: CPUIdentity
    /// FLOP per cycle per core, from the table or assumed.
    public var datapath: FloatingPointDatapath
    /// The clock measured with all `threads` running.
    public var clock: ClockProbe
    /// Threads the peak is for (the benchmark's thread count).
    public var threads: Int

    /// Creates a peak from its parts (tests, or a measurement taken elsewhere).
    public init(cpu: CPUIdentity, datapath: FloatingPointDatapath, clock: ClockProbe, threads: Int) {
        self.cpu = cpu
        self.datapath = datapath
        self.clock = clock
        self.threads = threads
    }

    /// Identifies this CPU and measures the clock of `threads` threads at once for `seconds` (~0.3 s).
    public static func measure(threads: Int, seconds: Double = 0.3) -> ProcessorPeak {
        let cpu = CPUIdentity.current
        return ProcessorPeak(cpu: cpu, datapath: FloatingPointDatapath(cpu), clock: ClockProbe.measure(threads: threads, seconds: seconds),
                             threads: threads)
    }

    /// Peak fp32 GFLOP/s: flopsPerCycle x mean measured GHz x threads.
    public var gflops: Double { Double(datapath.flopsPerCycle) * clock.meanGigahertz * Double(threads) }

    /// `achieved` GFLOP/s as a percentage of the peak (0 when the peak is unknown, e.g. off x86-64).
    public func percent(ofGflops achieved: Double) -> Double {
        gflops > 0 ? 100 * achieved / gflops : 0
    }

    /// "AMD family 0x19 model 0x11 "AMD EPYC" (Zen 4, 2 x 256-bit FMA): 32 FLOP/cycle x 4.11 GHz measured x
    /// 2 threads = 263 GFLOP/s"; an assumed datapath says "not in the table, assumed from its widest ISA".
    public var description: String {
        let vendor = ["AuthenticAMD": "AMD", "GenuineIntel": "Intel"][cpu.vendor] ?? (cpu.vendor.isEmpty ? "unknown vendor" : cpu.vendor)
        let name = cpu.modelName.isEmpty ? "" : " \"\(cpu.modelName)\""
        let pipes = "\(datapath.fmaPipes) x \(datapath.datapathBits)-bit FMA"
        let kind = datapath.isAssumption ? "not in the table, assumed \(datapath.name) from its widest ISA: \(pipes)"
                                         : "\(datapath.name), \(pipes)"
        let threadWord = threads == 1 ? "thread" : "threads"
        return String(format: "%@ family 0x%02X model 0x%02X%@ (%@): %d FLOP/cycle x %.2f GHz measured x %d %@ = %.0f GFLOP/s",
                      vendor, cpu.family, cpu.model, name, kind, datapath.flopsPerCycle, clock.meanGigahertz, threads,
                      threadWord, gflops)
    }
}

extension ProcessorPeak {
    private enum CodingKeys: String, CodingKey { case cpu, datapath, clock, threads, gflops, flopsPerCycle, derivation }

    /// Encodes the parts plus the derived `gflops`, `flopsPerCycle` and `derivation` (the description), so a script
    /// reading `--json` needs no arithmetic of its own.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cpu, forKey: .cpu)
        try container.encode(datapath, forKey: .datapath)
        try container.encode(clock, forKey: .clock)
        try container.encode(threads, forKey: .threads)
        try container.encode(gflops, forKey: .gflops)
        try container.encode(datapath.flopsPerCycle, forKey: .flopsPerCycle)
        try container.encode(description, forKey: .derivation)
    }

    /// Decodes the parts; the derived keys are recomputed, not read.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(cpu: try container.decode(CPUIdentity.self, forKey: .cpu),
                  datapath: try container.decode(FloatingPointDatapath.self, forKey: .datapath),
                  clock: try container.decode(ClockProbe.self, forKey: .clock), threads: try container.decode(Int.self, forKey: .threads))
    }
}
