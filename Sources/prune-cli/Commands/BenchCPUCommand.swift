import Foundation
import PruneKit

/// `prune-cli bench cpu`: the CPU's derived fp32 peak alone (CPUID -> FLOP/cycle/core, dependent-add clock probe of
/// all threads at once), the figure `bench train|infer` and `bench CKPT` quote "% of peak" against.
struct BenchCPUCommand: Command {
    static let name = "bench cpu"
    static let abstract = "Print the CPU's fp32 peak GFLOP/s and how it was derived (CPUID table x measured clock x threads)."
    static let usage = "bench cpu [--threads N] [--probe-time S] [--json]"
    static let options = [
        OptionSpec.threads,
        OptionSpec("probe-time", "Seconds the clock probe runs on every thread at once (default 0.3)."),
        OptionSpec("json", value: false, "Print the derivation as JSON on stdout (gflops, flopsPerCycle, clock, cpu, derivation)."),
    ]
    let seconds: Double, json: Bool

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(0, "no positional arguments")
        seconds = try arguments.number("probe-time", default: 0.3, in: 0.01...60)
        json = arguments.flag("json")
        try arguments.applyThreads()
    }

    func run() throws {
        let peak = ProcessorPeak.measure(threads: Parallel.threadCount, seconds: seconds)
        if json { print(try jsonText(peak)); return }
        print("peak: " + peak.description)
        print("clock per thread: " + peak.clock.threadGigahertz.map { String(format: "%.3f GHz", $0) }.joined(separator: ", "))
        if let fma = peak.fma, !fma.threadFlopsPerCycle.isEmpty {
            print("FMA probe per thread: " + fma.threadFlopsPerCycle.map { String(format: "%.2f FLOP/cycle", $0) }.joined(separator: ", "))
        }
    }
}

/// Measures the derived peak for the current thread count (0.3 s) before anything is timed and prints its
/// derivation once: on stdout beside a text result, on stderr when stdout carries JSON (which holds the peak itself).
func measurePeak(json: Bool) -> ProcessorPeak {
    let peak = ProcessorPeak.measure(threads: Parallel.threadCount)
    if json { printError("peak: " + peak.description) } else { print("peak: " + peak.description) }
    return peak
}
