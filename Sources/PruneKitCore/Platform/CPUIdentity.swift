import Foundation
import PruneKitKernels

/// What CPUID says about the processor: vendor, display family and model, model name and the vector ISA that both
/// the CPU and the operating system support.
///
/// Family and model follow the vendors' "display" rules (Intel SDM vol. 2A, CPUID leaf 1; AMD APM vol. 3, E.3.2):
/// the extended family is added only when the base family is 0xF, the extended model is prepended only when the
/// base family is 0x6 or 0xF.
///
/// ```swift
/// let cpu = CPUIdentity.current
/// print(cpu.vendor, String(cpu.family, radix: 16), cpu.hasAVX512F)   // AuthenticAMD 19 true
/// ```
public struct CPUIdentity: Codable, Equatable, Sendable {
    /// The 12-character vendor string of leaf 0, e.g. "AuthenticAMD" or "GenuineIntel" ("" off x86).
    public var vendor: String
    /// Display family, e.g. 0x19 (AMD Zen 3/4), 0x1A (Zen 5), 6 (Intel Core and Xeon).
    public var family: Int
    /// Display model, e.g. 0x11 (AMD Genoa) or 0x8F (Intel Sapphire Rapids).
    public var model: Int
    /// Stepping, bits 0-3 of leaf 1 EAX.
    public var stepping: Int
    /// The brand string of leaves 0x80000002-4, trimmed, e.g. "AMD EPYC 9B14" ("" where not reported).
    public var modelName: String
    /// AVX-512 Foundation, with the OS saving the opmask and ZMM state.
    public var hasAVX512F: Bool
    /// AVX2, with the OS saving the YMM state.
    public var hasAVX2: Bool
    /// FMA3, with the OS saving the YMM state.
    public var hasFMA: Bool

    /// Creates an identity from already-decoded values (tests, or a CPU described by hand).
    public init(vendor: String, family: Int, model: Int, stepping: Int = 0, modelName: String = "",
                hasAVX512F: Bool, hasAVX2: Bool, hasFMA: Bool) {
        self.vendor = vendor
        self.family = family
        self.model = model
        self.stepping = stepping
        self.modelName = modelName
        self.hasAVX512F = hasAVX512F
        self.hasAVX2 = hasAVX2
        self.hasFMA = hasFMA
    }

    /// The processor this code runs on (CPUID leaves 0, 1, 7 and 0x80000002-4, and XCR0).
    public static var current: CPUIdentity {
        let leaf0 = cpuid(0), leaf1 = cpuid(1), leaf7 = cpuid(7)
        let brand = (0x8000_0002...0x8000_0004).flatMap { cpuid(UInt32($0)) }
        return decode(leaf0: leaf0, leaf1: leaf1, leaf7: leaf7, brand: brand, savedStates: pk_xgetbv0())
    }

    /// Decodes raw CPUID registers, each leaf as [EAX, EBX, ECX, EDX]; `brand` is the 12 registers of leaves
    /// 0x80000002-4 in order, `savedStates` is XCR0. Pure, so tests can feed golden register values.
    public static func decode(leaf0: [UInt32], leaf1: [UInt32], leaf7: [UInt32], brand: [UInt32],
                              savedStates: UInt64) -> CPUIdentity {
        let signature = leaf1[0]
        let osSavesYMM = savedStates & 0x6 == 0x6  // XMM and YMM
        let osSavesZMM = savedStates & 0xE6 == 0xE6  // and opmask, ZMM_Hi256, Hi16_ZMM
        return CPUIdentity(vendor: vendorString(leaf0), family: displayFamily(signature), model: displayModel(signature),
                           stepping: Int(signature & 0xF), modelName: brandString(brand),
                           hasAVX512F: osSavesZMM && leaf7[1] & (1 << 16) != 0,
                           hasAVX2: osSavesYMM && leaf7[1] & (1 << 5) != 0,
                           hasFMA: osSavesYMM && leaf1[2] & (1 << 12) != 0)
    }

    /// Display family of a leaf 1 EAX signature: base family (bits 8-11), plus the extended family (bits 20-27)
    /// when the base is 0xF. 0x00A10F11 -> 0x19.
    public static func displayFamily(_ signature: UInt32) -> Int {
        let base = Int(signature >> 8 & 0xF)
        return base == 0xF ? base + Int(signature >> 20 & 0xFF) : base
    }

    /// Display model of a leaf 1 EAX signature: base model (bits 4-7), with the extended model (bits 16-19) as
    /// its high nibble when the base family is 0x6 or 0xF. 0x000806F8 -> 0x8F.
    public static func displayModel(_ signature: UInt32) -> Int {
        let base = Int(signature >> 4 & 0xF), family = Int(signature >> 8 & 0xF)
        return family == 0x6 || family == 0xF ? Int(signature >> 16 & 0xF) << 4 | base : base
    }

    /// The vendor string of leaf 0: the bytes of EBX, EDX, ECX (in that order), little-endian.
    public static func vendorString(_ leaf0: [UInt32]) -> String {
        text(of: [leaf0[1], leaf0[3], leaf0[2]])
    }

    /// The brand string of leaves 0x80000002-4 (EAX, EBX, ECX, EDX each), NULs and surrounding spaces removed.
    public static func brandString(_ registers: [UInt32]) -> String {
        text(of: registers)
    }

    private static func text(of registers: [UInt32]) -> String {
        let bytes = registers.flatMap { register in (0..<4).map { UInt8(truncatingIfNeeded: register >> (8 * $0)) } }
        let characters = String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self)
        return characters.trimmingCharacters(in: .whitespaces)
    }

    private static func cpuid(_ leaf: UInt32) -> [UInt32] {
        var registers: [UInt32] = [0, 0, 0, 0]
        _ = registers.withUnsafeMutableBufferPointer { pk_cpuid(leaf, 0, $0.baseAddress) }
        return registers
    }
}
