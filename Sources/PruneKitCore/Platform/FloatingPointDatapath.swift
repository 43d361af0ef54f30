/// The fp32 FMA throughput of one core: vector width of the FP datapath times FMA pipes, from a table of known
/// microarchitectures keyed by CPUID vendor, family, model and ISA; anything else is assumed from the widest ISA and
/// says so (`isAssumption`).
///
/// fp32 FLOP per cycle = (datapath bits / 32) lanes x 2 (an FMA is a multiply and an add) x FMA pipes. AMD Zen 4
/// runs AVX-512 on two 256-bit pipes (32), Zen 5 on two 512-bit pipes (64; its mobile parts keep 256-bit pipes),
/// Intel's AVX-512 Xeons have two 512-bit FMA units (64), AVX2 + FMA cores two 256-bit ones (32).
///
/// ```swift
/// let zen5 = CPUIdentity(vendor: "AuthenticAMD", family: 0x1A, model: 0x02, hasAVX512F: true, hasAVX2: true, hasFMA: true)
/// FloatingPointDatapath(zen5).flopsPerCycle   // 64
/// ```
public struct FloatingPointDatapath: Codable, Equatable, Sendable {
    /// Microarchitecture (or ISA class, for an assumption), e.g. "Zen 5" or "AVX-512 core".
    public var name: String
    /// Width of one FMA pipe in bits (128, 256 or 512).
    public var datapathBits: Int
    /// FMA pipes per core.
    public var fmaPipes: Int
    /// True when the CPU is not in the table and the figures come from its widest ISA alone.
    public var isAssumption: Bool

    /// fp32 FLOP per cycle per core: datapathBits / 32 x 2 x fmaPipes.
    public var flopsPerCycle: Int { datapathBits / 32 * 2 * fmaPipes }

    /// Creates a datapath from explicit figures.
    public init(name: String, datapathBits: Int, fmaPipes: Int, isAssumption: Bool = false) {
        self.name = name
        self.datapathBits = datapathBits
        self.fmaPipes = fmaPipes
        self.isAssumption = isAssumption
    }

    /// The datapath of `cpu`: the table entry for its vendor, family and model, else the assumption from its ISA.
    public init(_ cpu: CPUIdentity) {
        self = Self.amd(cpu) ?? Self.intel(cpu) ?? Self.assumed(cpu)
    }

    /// AMD families 0x17 (Zen 1/+/2), 0x19 (Zen 3/4) and 0x1A (Zen 5); nil for other vendors or families.
    static func amd(_ cpu: CPUIdentity) -> FloatingPointDatapath? {
        guard cpu.vendor == "AuthenticAMD" else { return nil }
        switch cpu.family {
        case 0x17 where cpu.model < 0x30: return FloatingPointDatapath(name: "Zen/Zen+", datapathBits: 128, fmaPipes: 2)
        case 0x17: return FloatingPointDatapath(name: "Zen 2", datapathBits: 256, fmaPipes: 2)
        case 0x19 where cpu.hasAVX512F: return FloatingPointDatapath(name: "Zen 4", datapathBits: 256, fmaPipes: 2)
        case 0x19: return FloatingPointDatapath(name: "Zen 3", datapathBits: 256, fmaPipes: 2)
        // Strix Point (0x20-0x2F) and Krackan Point (0x60-0x6F) run AVX-512 on 256-bit pipes, like Zen 4.
        case 0x1A where (0x20...0x2F).contains(cpu.model) || (0x60...0x6F).contains(cpu.model):
            return FloatingPointDatapath(name: "Zen 5 mobile", datapathBits: 256, fmaPipes: 2)
        case 0x1A where cpu.hasAVX512F: return FloatingPointDatapath(name: "Zen 5", datapathBits: 512, fmaPipes: 2)
        default: return nil
        }
    }

    /// Intel AVX-512 Xeons (Skylake-SP to Granite Rapids: two 512-bit FMA units; a few low Skylake/Cascade Lake bins
    /// have one, which CPUID does not show), AVX-512 client cores (one 512-bit FMA), and AVX2 + FMA cores (two 256-bit).
    static func intel(_ cpu: CPUIdentity) -> FloatingPointDatapath? {
        guard cpu.vendor == "GenuineIntel", cpu.family == 6 else { return nil }
        let servers: Set = [0x55, 0x6A, 0x6C, 0x8F, 0xCF, 0xAD, 0xAE]
        let clients: Set = [0x66, 0x7D, 0x7E, 0x8C, 0x8D, 0xA7]
        if cpu.hasAVX512F, servers.contains(cpu.model) {
            return FloatingPointDatapath(name: "Intel AVX-512 Xeon", datapathBits: 512, fmaPipes: 2)
        }
        if cpu.hasAVX512F, clients.contains(cpu.model) {
            return FloatingPointDatapath(name: "Intel AVX-512 client core", datapathBits: 512, fmaPipes: 1)
        }
        if cpu.hasAVX2, cpu.hasFMA, !cpu.hasAVX512F {
            return FloatingPointDatapath(name: "Intel AVX2 + FMA core", datapathBits: 256, fmaPipes: 2)
        }
        return nil
    }

    /// An unknown CPU: two FMA pipes as wide as its widest vector ISA (AVX-512F 512 bits, AVX2 + FMA 256; without FMA
    /// a separate multiply and add pipe count as one FMA pipe at 128 bits).
    static func assumed(_ cpu: CPUIdentity) -> FloatingPointDatapath {
        if cpu.hasAVX512F { return FloatingPointDatapath(name: "AVX-512 core", datapathBits: 512, fmaPipes: 2, isAssumption: true) }
        if cpu.hasAVX2 && cpu.hasFMA { return FloatingPointDatapath(name: "AVX2 + FMA core", datapathBits: 256, fmaPipes: 2, isAssumption: true) }
        return FloatingPointDatapath(name: "SSE core", datapathBits: 128, fmaPipes: 1, isAssumption: true)
    }
}
