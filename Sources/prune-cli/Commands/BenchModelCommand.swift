import Foundation
import PruneKit

/// `prune-cli bench train|infer --model NAME`: img/s, ms per step, GFLOP/s, peak RSS, and with
/// `--profile` the share of time per op; `--width-scale F --versus-dense` compares a uniformly narrowed model
/// with the dense one as `bench CKPT` does.
struct BenchModelCommand: Command {
    static let name = "bench"
    static let abstract = "Benchmark a zoo model's training or inference throughput, or a checkpoint's latency vs dense."
    static let usage = "bench train|infer --model NAME [--batch-size N] [--threads N] [--steps N] [--min-time S] [--width-scale F [--versus-dense]] [--profile] [--json]\n       prune-cli bench CKPT [--batch-size 128,1] [--threads N] [--train] [--profile] [--json]   (checkpoint vs its dense architecture)"
    static let options = [
        OptionSpec("model", "Zoo model, e.g. resnet20, vgg16, wrn-16-4, lenet5, mlp."),
        OptionSpec("batch-size", "Images per step (default 128); for a checkpoint, a list like 128,1."),
        OptionSpec.threads,
        OptionSpec("steps", "Timed steps after 3 warm-up steps; the median is reported (default 10)."),
        OptionSpec("min-time", "Keep timing past --steps until this many seconds have passed, at most 2000 steps (default 3, as the PyTorch script); for a checkpoint, per batch size."),
        OptionSpec("width-scale", "Scale every width of the model by F (0.707: ~50% FLOPs), as uniform pruning would."),
        OptionSpec("versus-dense", value: false, "infer with --width-scale: time the narrowed and the dense model alternately in one process; speedup vs FLOPs ratio."),
        OptionSpec("profile", value: false, "Also print the share of time per op, and the GFLOP/s of each conv kernel (measured in a separate pass; CKPT: the checkpoint's, on stderr)."),
        OptionSpec("train", value: false, "CKPT: also time training steps (forward, loss, backward) against the dense model."),
        OptionSpec("json", value: false, "Print the result as JSON on stdout."),
    ]
    let training: Bool, modelName: String, batchSize: Int, steps: Int, minimumSeconds: Double, widthScale: Double, profile: Bool, json: Bool
    let versusDense: Bool
    let checkpoint: BenchCheckpointCommand?

    init(_ arguments: Arguments) throws {
        if arguments.positionals.count == 1, !["train", "infer"].contains(arguments.positionals[0]) {
            checkpoint = try BenchCheckpointCommand(arguments)
            (training, modelName, batchSize, steps, minimumSeconds, widthScale, profile, json) = (false, "", 0, 0, 0, 1, false, arguments.flag("json"))
            versusDense = false
            return
        }
        checkpoint = nil
        try arguments.reject(["train"], because: "applies to 'bench CKPT' ('bench train' times training)")
        guard arguments.positionals.count == 1 else {
            throw PruneKitError.usage("expected 'bench train', 'bench infer', 'bench ops', 'bench cpu' or 'bench CKPT'")
        }
        guard let model = arguments.string("model") else { throw PruneKitError.usage("option '--model' is required") }
        (training, modelName) = (arguments.positionals[0] == "train", model)
        batchSize = try arguments.integer("batch-size", default: 128, in: 1...65_536)
        steps = try arguments.integer("steps", default: 10, in: 1...100_000)
        minimumSeconds = try arguments.number("min-time", default: 3, in: 0...3600)
        widthScale = try arguments.number("width-scale", default: 1, in: 0.01...1)
        (profile, json, versusDense) = (arguments.flag("profile"), arguments.flag("json"), arguments.flag("versus-dense"))
        if versusDense, training || widthScale >= 1 {
            throw PruneKitError.usage("option '--versus-dense' needs 'bench infer' and '--width-scale' below 1, got \(training ? "train" : "infer") with width scale \(widthScale)")
        }
        // The dense-vs-narrowed comparison alternates passes for --min-time; it takes no step count and no profile.
        if versusDense { try arguments.reject(["steps", "profile"], because: "does not apply with '--versus-dense' (alternating passes for '--min-time')") }
        try arguments.applyThreads()
    }

    func run() throws {
        if let checkpoint { return try checkpoint.run() }
        printError(environmentLine())
        let model = try Model(spec: ModelZoo.spec(named: modelName).scalingWidths(by: widthScale), seed: 1)
        let peak = measurePeak(json: json)
        if versusDense { return try compareWithDense(model, peak: peak) }
        let result = try ModelBenchmark.run(model, training: training, batchSize: batchSize, steps: steps,
                                             minimumSeconds: minimumSeconds, profile: profile).comparing(with: peak)
        if json { print(try jsonText(result)); return }
        print(String(format: "%@ %@ batch %d threads %d: %.2f ms/step (best %.2f, CPU %.2f), %.1f img/s, %.1f GFLOP/s (%.1f%% of peak), peak RSS %.0f MiB",
                     modelName, result.mode, batchSize, result.threads, result.millisecondsPerStep, result.bestMillisecondsPerStep,
                     result.processorMillisecondsPerStep, result.imagesPerSecond, result.gflops, result.percentOfPeak ?? 0,
                     result.peakResidentMegabytes))
        for line in result.profileLines() { print(line) }
    }
}

extension ModelBenchmarkResult {
    /// One line per profiled category of at least 0.5% (thread-time share of the wall time), largest first; kernels
    /// that count their FLOPs add their GFLOP/s per busy thread and, with a measured peak, its % of one core's peak.
    func profileLines() -> [String] {
        let corePeak = peak.map { $0.gflops / Double(max($0.threads, 1)) }
        return (profile ?? [:]).sorted(by: { $0.value > $1.value }).filter { $0.value >= 0.005 }.map { category, share in
            var line = category.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%5.1f%%", 100 * share)
            if let rate = profileRates?[category] {
                line += String(format: "   %6.1f GFLOP/s per thread", rate)
                if let corePeak, corePeak > 0 { line += String(format: " (%.0f%% of a core's peak)", 100 * rate / corePeak) }
            }
            return line
        }
    }
}

extension BenchModelCommand {
    /// Dense vs narrowed latency, alternating passes in one process (`LatencyComparison`), as `bench CKPT` prints it.
    func compareWithDense(_ narrowed: Model, peak: ProcessorPeak) throws {
        let dense = try Model(spec: ModelZoo.spec(named: modelName), seed: 1)
        let flopsReduction = Double(try dense.cost().flops) / Double(max(try narrowed.cost().flops, 1))
        let row = try PruningReport.LatencyComparison.measure(dense: dense, pruned: narrowed, batchSize: batchSize, threads: nil,
                                                              minimumSeconds: max(minimumSeconds, 1))
        let throughput = try LatencyThroughput(row, dense: dense, pruned: narrowed, peak: peak)
        let label = narrowed.spec.name
        if json {
            print(try jsonText(CheckpointBench(checkpoint: label, flopsReduction: flopsReduction, latency: [row], peak: peak, throughput: [throughput])))
            return
        }
        print(String(format: "%@ batch %d, %d threads: dense %.3f ms, narrowed %.3f ms (medians), speedup %.2fx vs FLOPs reduction %.2fx (%.0f%% of it)",
                     label, row.batchSize, row.threads, row.denseMilliseconds, row.prunedMilliseconds, row.speedup,
                     flopsReduction, 100 * row.speedup / flopsReduction) + throughput.text(prunedLabel: "narrowed"))
    }
}
