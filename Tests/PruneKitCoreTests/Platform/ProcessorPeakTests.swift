import Foundation
import XCTest
@testable import PruneKitCore

final class ProcessorPeakTests: XCTestCase {
    /// CPUID registers of this machine kind (2 vCPU "AMD EPYC" VM), dumped with __cpuid_count and xgetbv:
    /// leaf 0, 1, 7 as [EAX, EBX, ECX, EDX], leaves 0x80000002-4 and XCR0.
    let leaf0: [UInt32] = [0x0000_001C, 0x6874_7541, 0x444D_4163, 0x6974_6E65]
    let leaf1: [UInt32] = [0x00A1_0F11, 0x0002_0800, 0xFFFA_3203, 0x178B_FBFF]
    let leaf7: [UInt32] = [0x0000_0001, 0xF1BF_07AB, 0x0040_5FC6, 0x0000_0010]
    let brand: [UInt32] = [0x2044_4D41, 0x4359_5045] + [UInt32](repeating: 0, count: 10)

    /// Display family adds the extended family only for base family 0xF; display model prepends the extended model
    /// only for base family 6 or 0xF (Intel SDM 2A / AMD APM 3, CPUID Fn0000_0001_EAX).
    func testDisplayFamilyAndModel() {
        let golden: [(signature: UInt32, family: Int, model: Int)] = [
            (0x00A1_0F11, 0x19, 0x11),  // AMD Genoa (Zen 4)
            (0x00B0_0F21, 0x1A, 0x02),  // AMD Turin (Zen 5)
            (0x00B4_0F40, 0x1A, 0x44),  // AMD Granite Ridge (Zen 5 desktop)
            (0x0083_0F10, 0x17, 0x31),  // AMD Rome (Zen 2)
            (0x0008_06F8, 0x06, 0x8F),  // Intel Sapphire Rapids
            (0x0005_0654, 0x06, 0x55),  // Intel Skylake-SP
            (0x0003_06C3, 0x06, 0x3C),  // Intel Haswell
            (0x0001_0543, 0x05, 0x04),  // family 5: the extended model bits are ignored
            (0x0000_0F41, 0x0F, 0x04),  // family 0xF with extended family 0 (Pentium 4)
        ]
        for entry in golden {
            XCTAssertEqual(CPUIdentity.displayFamily(entry.signature), entry.family, String(entry.signature, radix: 16))
            XCTAssertEqual(CPUIdentity.displayModel(entry.signature), entry.model, String(entry.signature, radix: 16))
        }
    }

    /// The registers of this machine kind decode to AMD family 0x19 model 0x11 stepping 1, "AMD EPYC", AVX-512F + AVX2 + FMA.
    func testDecodesGoldenRegisters() {
        let cpu = CPUIdentity.decode(leaf0: leaf0, leaf1: leaf1, leaf7: leaf7, brand: brand, savedStates: 0xE7)
        XCTAssertEqual(cpu, CPUIdentity(vendor: "AuthenticAMD", family: 0x19, model: 0x11, stepping: 1, modelName: "AMD EPYC",
                                        hasAVX512F: true, hasAVX2: true, hasFMA: true))
        XCTAssertEqual(CPUIdentity.vendorString([0x16, 0x756E_6547, 0x6C65_746E, 0x4965_6E69]), "GenuineIntel")
    }

    /// An OS that saves YMM but not ZMM state (XCR0 = 0x7) hides AVX-512F; one that saves neither hides AVX2 and FMA too.
    func testOperatingSystemStateGatesTheISA() {
        let ymmOnly = CPUIdentity.decode(leaf0: leaf0, leaf1: leaf1, leaf7: leaf7, brand: brand, savedStates: 0x7)
        XCTAssertEqual([ymmOnly.hasAVX512F, ymmOnly.hasAVX2, ymmOnly.hasFMA], [false, true, true])
        let none = CPUIdentity.decode(leaf0: leaf0, leaf1: leaf1, leaf7: leaf7, brand: brand, savedStates: 0x3)
        XCTAssertEqual([none.hasAVX512F, none.hasAVX2, none.hasFMA], [false, false, false])
    }

    /// The table: fp32 FLOP/cycle/core and whether the entry is an assumption.
    func testDatapathTable() {
        func cpu(_ vendor: String, _ family: Int, _ model: Int, avx512: Bool, avx2: Bool = true, fma: Bool = true) -> CPUIdentity {
            CPUIdentity(vendor: vendor, family: family, model: model, hasAVX512F: avx512, hasAVX2: avx2, hasFMA: fma)
        }
        let golden: [(CPUIdentity, String, Int, Bool)] = [
            (cpu("AuthenticAMD", 0x19, 0x11, avx512: true), "Zen 4", 32, false),
            (cpu("AuthenticAMD", 0x19, 0x01, avx512: false), "Zen 3", 32, false),
            (cpu("AuthenticAMD", 0x1A, 0x02, avx512: true), "Zen 5", 64, false),
            (cpu("AuthenticAMD", 0x1A, 0x44, avx512: true), "Zen 5", 64, false),
            (cpu("AuthenticAMD", 0x1A, 0x24, avx512: true), "Zen 5 mobile", 32, false),
            (cpu("AuthenticAMD", 0x17, 0x31, avx512: false), "Zen 2", 32, false),
            (cpu("AuthenticAMD", 0x17, 0x01, avx512: false), "Zen/Zen+", 16, false),
            (cpu("GenuineIntel", 6, 0x8F, avx512: true), "Intel AVX-512 Xeon", 64, false),
            (cpu("GenuineIntel", 6, 0x55, avx512: true), "Intel AVX-512 Xeon", 64, false),
            (cpu("GenuineIntel", 6, 0x8C, avx512: true), "Intel AVX-512 client core", 32, false),
            (cpu("GenuineIntel", 6, 0x3C, avx512: false), "Intel AVX2 + FMA core", 32, false),
            (cpu("GenuineIntel", 6, 0x99, avx512: true), "AVX-512 core", 64, true),
            (cpu("HygonGenuine", 0x18, 0x02, avx512: false), "AVX2 + FMA core", 32, true),
            (cpu("", 0, 0, avx512: false, avx2: false, fma: false), "SSE core", 8, true),
        ]
        for (identity, name, flops, assumption) in golden {
            let datapath = FloatingPointDatapath(identity)
            let label = "\(identity.vendor) 0x\(String(identity.family, radix: 16)) 0x\(String(identity.model, radix: 16))"
            XCTAssertEqual(datapath.name, name, label)
            XCTAssertEqual(datapath.flopsPerCycle, flops, label)
            XCTAssertEqual(datapath.isAssumption, assumption, label)
        }
    }

    /// 64 FLOP/cycle x mean(4.10, 4.14) = 4.12 GHz x 2 threads = 527.36 GFLOP/s, and the sentence that derives it.
    func testPeakArithmeticAndDerivation() {
        let zen5 = CPUIdentity(vendor: "AuthenticAMD", family: 0x1A, model: 0x02, hasAVX512F: true, hasAVX2: true, hasFMA: true)
        let peak = ProcessorPeak(cpu: zen5, datapath: FloatingPointDatapath(zen5), clock: ClockProbe(threadGigahertz: [4.10, 4.14], seconds: 0.3),
                                 threads: 2)
        XCTAssertEqual(peak.gflops, 527.36, accuracy: 1e-9)
        XCTAssertEqual(peak.percent(ofGflops: 263.68), 50, accuracy: 1e-9)
        XCTAssertEqual(peak.clock.minimumGigahertz, 4.10)
        XCTAssertEqual(peak.description,
                       "AMD family 0x1A model 0x02 (Zen 5, 2 x 512-bit FMA): 64 FLOP/cycle x 4.12 GHz measured x 2 threads = 527 GFLOP/s")
        let unknown = CPUIdentity(vendor: "GenuineIntel", family: 6, model: 0x99, modelName: "Future Xeon", hasAVX512F: true, hasAVX2: true, hasFMA: true)
        let assumed = ProcessorPeak(cpu: unknown, datapath: FloatingPointDatapath(unknown), clock: ClockProbe(threadGigahertz: [3], seconds: 0.3),
                                    threads: 1)
        XCTAssertEqual(assumed.description, "Intel family 0x06 model 0x99 \"Future Xeon\" (not in the table, assumed AVX-512 core from its "
                       + "widest ISA: 2 x 512-bit FMA): 64 FLOP/cycle x 3.00 GHz measured x 1 thread = 192 GFLOP/s")
        XCTAssertEqual(ProcessorPeak(cpu: zen5, datapath: FloatingPointDatapath(zen5), clock: ClockProbe(threadGigahertz: [], seconds: 0),
                                     threads: 2).percent(ofGflops: 100), 0)
    }

    /// The FMA probe confirms the table within 25% (noted), or overrides it rounded to a power of two: a Zen 5 host
    /// behind a hypervisor that reports Zen 4 (measured 63.8 -> 64), or SMT siblings sharing one core's pipes (15.9 -> 16).
    func testFMAProbeConfirmsOrOverridesTheTable() {
        let zen4 = CPUIdentity(vendor: "AuthenticAMD", family: 0x19, model: 0x11, hasAVX512F: true, hasAVX2: true, hasFMA: true)
        func peak(_ measured: [Double]) -> ProcessorPeak {
            ProcessorPeak(cpu: zen4, datapath: FloatingPointDatapath(zen4), clock: ClockProbe(threadGigahertz: [4, 4], seconds: 0.3),
                          threads: 2, fma: FMAProbe(threadFlopsPerCycle: measured))
        }
        let agreeing = peak([31.99, 31.97])
        XCTAssertNil(agreeing.measuredOverride)
        XCTAssertEqual(agreeing.gflops, 256, accuracy: 1e-9)
        XCTAssertEqual(agreeing.description,
                       "AMD family 0x19 model 0x11 (Zen 4, 2 x 256-bit FMA; FMA probe 31.98 FLOP/cycle): 32 FLOP/cycle x 4.00 GHz measured x 2 threads = 256 GFLOP/s")
        let hidden = peak([63.9, 63.7])
        XCTAssertEqual(hidden.measuredOverride, 64)
        XCTAssertEqual(hidden.gflops, 512, accuracy: 1e-9)
        XCTAssertEqual(hidden.description, "AMD family 0x19 model 0x11 (Zen 4, 2 x 256-bit FMA; but the FMA probe measured 63.80 FLOP/cycle, "
                       + "so 64 is used): 64 FLOP/cycle x 4.00 GHz measured x 2 threads = 512 GFLOP/s")
        XCTAssertEqual(peak([15.9, 15.9]).flopsPerCycle, 16)
        XCTAssertEqual(peak([26]).flopsPerCycle, 32)  // within 25% of the table: the table stands
        XCTAssertEqual(peak([]).flopsPerCycle, 32)    // the probe did not run
    }

    /// `--json` carries the derived GFLOP/s, FLOP/cycle and derivation, and decodes back to the same peak.
    func testJSONCarriesTheDerivation() throws {
        let cpu = CPUIdentity(vendor: "AuthenticAMD", family: 0x19, model: 0x11, hasAVX512F: true, hasAVX2: true, hasFMA: true)
        let peak = ProcessorPeak(cpu: cpu, datapath: FloatingPointDatapath(cpu), clock: ClockProbe(threadGigahertz: [4, 4], seconds: 0.3), threads: 2)
        let data = try JSONEncoder().encode(peak)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["gflops"] as? Double, 256)
        XCTAssertEqual(object["flopsPerCycle"] as? Int, 32)
        XCTAssertEqual(object["derivation"] as? String, peak.description)
        XCTAssertEqual(try JSONDecoder().decode(ProcessorPeak.self, from: data), peak)
    }

    /// The probe runs every thread and reads a plausible clock (no timing assertion beyond > 0.5 GHz: the host is shared).
    func testClockProbeReadsAPlausibleClock() throws {
        #if arch(x86_64)
        let clock = ClockProbe.measure(threads: 2, seconds: 0.1)
        XCTAssertEqual(clock.threadGigahertz.count, 2)
        for rate in clock.threadGigahertz { XCTAssertGreaterThan(rate, 0.5) }
        let fma = FMAProbe.measure(threads: 2, seconds: 0.05)
        if CPUIdentity.current.hasFMA {
            XCTAssertEqual(fma.threadFlopsPerCycle.count, 2)
            for figure in fma.threadFlopsPerCycle { XCTAssertGreaterThan(figure, 1) }
        }
        XCTAssertGreaterThan(CPUIdentity.current.family, 0)
        XCTAssertFalse(CPUIdentity.current.vendor.isEmpty)
        #else
        throw XCTSkip("the add-chain probe is x86-64 assembly")
        #endif
    }
}
