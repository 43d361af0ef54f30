import Foundation
import PruneKit

/// `prune-cli bench ops`: conv2d forward/backward GFLOP/s on the conv shapes of ResNet-20 and VGG-16 and
/// the share of time in sgemm vs im2col/col2im, against sgemm alone on the same GEMM shapes.
struct BenchOpsCommand: Command {
    static let name = "bench ops"
    static let abstract = "Benchmark conv2d forward/backward against sgemm alone (release build)."
    static let usage = "bench ops [--batch-size N] [--threads N] [--models resnet20,vgg16] [--repetitions N] [--width-scale F] [--json]"
    static let options = [
        OptionSpec("batch-size", "Images per batch (default 128)."),
        OptionSpec.threads,
        OptionSpec("models", "Comma-separated shape sets: resnet20, vgg16 (default both)."),
        OptionSpec("repetitions", "Timed repetitions per measurement, median reported (default 5)."),
        OptionSpec("width-scale", "Scale every width but the image input by F (0.707: ~50% FLOPs), as uniform pruning would."),
        OptionSpec("json", value: false, "Print the results as JSON on stdout."),
    ]
    let batch: Int, repetitions: Int, models: [String], json: Bool, widthScale: Double

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(0, "no positional arguments")
        batch = try arguments.integer("batch-size", default: 128, in: 1...4096)
        repetitions = try arguments.integer("repetitions", default: 5, in: 1...1000)
        models = (arguments.string("models") ?? "resnet20,vgg16").split(separator: ",").map(String.init)
        for model in models where !["resnet20", "vgg16"].contains(model) {
            throw PruneKitError.usage("option '--models': expected resnet20 or vgg16, found '\(model)'")
        }
        json = arguments.flag("json")
        widthScale = try arguments.number("width-scale", default: 1, in: 0.01...4)
        try arguments.applyThreads()
    }

    func run() throws {
        printError(environmentLine())
        let shapes = models.flatMap { $0 == "resnet20" ? ConvolutionShape.resnet20(batch: batch) : ConvolutionShape.vgg16(batch: batch) }
            .map { $0.scaled(by: widthScale) }
        var results: [ConvolutionBenchmarkResult] = []
        if !json { print("shape                          fwd ms  fwd GF/s  bwd ms  bwd GF/s  sgemm GF/s  conv/sgemm  sgemm% im2col% col2im% other%") }
        for shape in shapes {
            let r = try ConvolutionBenchmark.run(shape, repetitions: repetitions)
            results.append(r)
            if json { continue }
            let s = r.timeShares
            print(shape.label.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: " %7.2f %9.1f %7.2f %9.1f %11.1f %10.0f%% %6.0f %7.0f %7.0f %6.0f",
                         r.forwardMilliseconds, r.forwardGflops, r.backwardMilliseconds, r.backwardGflops, r.sgemmOnlyGflops,
                         100 * r.fractionOfSgemm, 100 * (s["sgemm"] ?? 0), 100 * (s["im2col"] ?? 0), 100 * (s["col2im"] ?? 0), 100 * (s["other"] ?? 0)))
        }
        let flops = results.reduce(0.0) { $0 + 3 * $1.shape.forwardFlops }
        let convTime = results.reduce(0.0) { $0 + $1.forwardMilliseconds + $1.backwardMilliseconds }
        let sgemmTime = results.reduce(0.0) { $0 + $1.sgemmOnlyMilliseconds }
        if json { print(try jsonText(results)) } else {
            print(String(format: "total: conv fwd+bwd %.1f GFLOP/s, sgemm alone %.1f GFLOP/s, ratio %.0f%%",
                         flops / convTime / 1e6, flops / sgemmTime / 1e6, 100 * sgemmTime / convTime))
        }
    }
}

/// "threads=2 openblas=Cooperlake OPENBLAS_CORETYPE=<unset>", printed before every timing.
func environmentLine() -> String {
    let preset = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
    var line = "threads=\(Parallel.threadCount) openblas-kernels=\(BLAS.coreName) OPENBLAS_CORETYPE=\(preset ?? "<unset>")"
    if let warning = BLAS.slowerKernelsWarning { line += "\n" + warning }
    return line
}
