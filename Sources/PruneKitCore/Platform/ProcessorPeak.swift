import Foundation

/// The CPU's fp32 peak for a team of threads, derived rather than assumed: FLOP per cycle per core from CPUID
/// (`FloatingPointDatapath`) x the clock those threads sustain together (`ClockProbe`) x the number of threads.
///
/// Peak GFLOP/s = flopsPerCycle x meanGigahertz x threads. An FMA probe (`FMAProbe`) checks the table's FLOP/cycle;
/// when the two differ by more than 25% (a hypervisor reporting an older CPU family, SMT siblings sharing FMA pipes),
/// the measured figure, rounded to a power of two, is used and the description says so. It prints the derivation:
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
    /// FLOP per cycle as measured by the FMA probe, if it ran.
    public var fma: FMAProbe?

    /// Creates a peak from its parts (tests, or a measurement taken elsewhere).
    public init(cpu: CPUIdentity, datapath: FloatingPointDatapath, clock: ClockProbe, threads: Int, fma: FMAProbe? = nil) {
        self.cpu = cpu
        self.datapath = datapath
        self.clock = clock
        self.threads = threads
        self.fma = fma
    }

    /// Identifies this CPU and measures the clock of `threads` threads at once for `seconds` (~0.3 s).
    public static func measure(threads: Int, seconds: Double = 0.3) -> ProcessorPeak {
        let cpu = CPUIdentity.current
        let clock = ClockProbe.measure(threads: threads, seconds: seconds)
        return ProcessorPeak(cpu: cpu, datapath: FloatingPointDatapath(cpu), clock: clock, threads: threads,
                             fma: FMAProbe.measure(threads: threads, seconds: seconds / 3))
    }

    /// The FMA probe's figure rounded to a power of two when it differs from the table's by more than 25%, else nil.
    public var measuredOverride: Int? {
        guard let measured = fma?.meanFlopsPerCycle, measured >= 1 else { return nil }
        let table = Double(datapath.flopsPerCycle)
        guard measured > 1.25 * table || measured < table / 1.25 else { return nil }
        return 1 << Int((log2(measured)).rounded())
    }

    /// fp32 FLOP per cycle per core used for the peak: the table's, unless the FMA probe overrides it.
    public var flopsPerCycle: Int { measuredOverride ?? datapath.flopsPerCycle }

    /// Peak fp32 GFLOP/s: flopsPerCycle x mean measured GHz x threads.
    public var gflops: Double { Double(flopsPerCycle) * clock.meanGigahertz * Double(threads) }

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
        return String(format: "%@ family 0x%02X model 0x%02X%@ (%@%@): %d FLOP/cycle x %.2f GHz measured x %d %@ = %.0f GFLOP/s",
                      vendor, cpu.family, cpu.model, name, kind, probeNote, flopsPerCycle, clock.meanGigahertz, threads,
                      threadWord, gflops)
    }

    /// "; FMA probe 31.99 FLOP/cycle" when it agrees with the table, "; but the FMA probe measured 63.81 FLOP/cycle, so 64
    /// is used" when it overrides it, "" when it did not run.
    private var probeNote: String {
        guard let measured = fma?.meanFlopsPerCycle, measured > 0 else { return "" }
        if let override = measuredOverride {
            return String(format: "; but the FMA probe measured %.2f FLOP/cycle, so %d is used", measured, override)
        }
        return String(format: "; FMA probe %.2f FLOP/cycle", measured)
    }
}

extension ProcessorPeak {
    private enum CodingKeys: String, CodingKey { case cpu, datapath, clock, threads, fma, gflops, flopsPerCycle, derivation }

    /// Encodes the parts plus the derived `gflops`, `flopsPerCycle` and `derivation` (the description), so a script
    /// reading `--json` needs no arithmetic of its own.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cpu, forKey: .cpu)
        try container.encode(datapath, forKey: .datapath)
        try container.encode(clock, forKey: .clock)
        try container.encode(threads, forKey: .threads)
        try container.encodeIfPresent(fma, forKey: .fma)
        try container.encode(gflops, forKey: .gflops)
        try container.encode(flopsPerCycle, forKey: .flopsPerCycle)
        try container.encode(description, forKey: .derivation)
    }

    /// Decodes the parts; the derived keys are recomputed, not read.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(cpu: try container.decode(CPUIdentity.self, forKey: .cpu),
                  datapath: try container.decode(FloatingPointDatapath.self, forKey: .datapath),
                  clock: try container.decode(ClockProbe.self, forKey: .clock), threads: try container.decode(Int.self, forKey: .threads),
                  fma: try container.decodeIfPresent(FMAProbe.self, forKey: .fma))
    }
}
