import Foundation
import PruneKit

/// `prune-cli bench CKPT`: inference latency of a checkpoint beside the dense model of the same architecture
/// (same threads, warm-up, median; the dense spec as `DenseArchitecture` finds it), and the speedup against the
/// FLOPs reduction; with `--train`, training steps (forward, loss, backward) as well. A checkpoint with regular-block records (`--method darb|bmwm`) also gets, for its largest 8 such layers,
/// decode times of the regular-block format vs CSR and W X times of the regular-block and CSR kernels vs dense sgemm at
/// batch 1 and 128, one thread (`RegularBlockBenchmark`).
struct BenchCheckpointCommand {
    let path: String, batchSizes: [Int], minimumSeconds: Double, json: Bool, training: Bool, profile: Bool

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one checkpoint path")
        try arguments.reject(["model", "steps", "width-scale", "versus-dense"], because: "applies to 'bench train|infer', not to 'bench CKPT'")
        path = arguments.positionals[0]
        minimumSeconds = try arguments.number("min-time", default: 3, in: 0...3600)
        batchSizes = try PruneCommand.batchSizes(arguments.string("batch-size") ?? "128,1")
        json = arguments.flag("json")
        training = arguments.flag("train")
        profile = arguments.flag("profile")
        try arguments.applyThreads()
    }

    func run() throws {
        printError(environmentLine())
        let checkpoint = try readCheckpoint(path, nonFinite: .warn)
        let pruned = checkpoint.model
        let dense = try Model(spec: DenseArchitecture.spec(of: checkpoint, path: path), seed: 1)
        let flopsReduction = Double(try dense.cost().flops) / Double(max(try pruned.cost().flops, 1))
        let peak = measurePeak(json: json)
        let rows = try (training ? [false, true] : [false]).flatMap { mode in
            try batchSizes.map {
                try PruningReport.LatencyComparison.measure(dense: dense, pruned: pruned, batchSize: $0, threads: nil, training: mode,
                                                            minimumSeconds: minimumSeconds)
            }
        }
        if profile { try printProfile(pruned) }
        let sparse = try RegularBlockLayers.recorded(in: pruned).sorted { $0.layer.weight.value.count > $1.layer.weight.value.count }.prefix(8).map {
            try RegularBlockBenchmark.measure(layer: $0.layer.name, weight: $0.layer.weight.value, blockSizes: $0.blockSizes, batches: [1, 128],
                                              minimumSeconds: min(max(minimumSeconds / 10, 0.05), 0.5))
        }
        let throughput = try rows.map { try LatencyThroughput($0, dense: dense, pruned: pruned, peak: peak) }
        if json {
            print(try jsonText(CheckpointBench(checkpoint: path, flopsReduction: flopsReduction, latency: rows, peak: peak, throughput: throughput,
                                               regularBlock: sparse.isEmpty ? nil : sparse)))
            return
        }
        for (row, rate) in zip(rows, throughput) {
            print(String(format: "%@ %@ batch %d, %d threads: dense %.3f ms, checkpoint %.3f ms (medians), speedup %.2fx vs FLOPs reduction %.2fx (%.0f%% of it)",
                         path, row.training == true ? "train" : "infer", row.batchSize, row.threads, row.denseMilliseconds,
                         row.prunedMilliseconds, row.speedup, flopsReduction, 100 * row.speedup / flopsReduction) + rate.text(prunedLabel: "checkpoint"))
        }
        if !sparse.isEmpty { print("regular-block layers (1 thread, medians):") }
        for layer in sparse { for line in layer.lines { print(line) } }
    }
}

extension BenchCheckpointCommand {
    /// The checkpoint's share of time per op at the first batch size (training steps with `--train`), on stderr.
    func printProfile(_ model: Model) throws {
        let result = try ModelBenchmark.run(model, training: training, batchSize: batchSizes[0], steps: 3, profile: true)
        for line in result.profileLines() { printError(line) }
    }
}

/// What `bench CKPT --json` prints.
struct CheckpointBench: Encodable {
    let checkpoint: String, flopsReduction: Double, latency: [PruningReport.LatencyComparison]
    /// The CPU's derived fp32 peak for the benchmark's threads.
    var peak: ProcessorPeak? = nil
    /// GFLOP/s and % of peak of each `latency` row, in the same order.
    var throughput: [LatencyThroughput]? = nil
    /// Regular-block format timings (checkpoints with `.blocks` records only).
    var regularBlock: [RegularBlockBenchmark]? = nil
}
