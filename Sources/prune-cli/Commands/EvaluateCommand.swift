import Foundation
import PruneKit

/// `prune-cli eval CKPT`: top-1 accuracy, loss and per-class accuracy on the test split, plus measured
/// latency (median batch time after warm-up, and batch-1 latency).
struct EvaluateCommand: Command {
    static let name = "eval"
    static let abstract = "Evaluate a checkpoint: top-1, loss, per-class accuracy and latency."
    static let usage = "eval CKPT [--dataset NAME] [--data-dir DIR] [--batch-size N] [--test-flip on|off] [--threads N] [--json]"
    static let options = DataOptions.testOptions + [
        OptionSpec("batch-size", "Images per evaluation batch (default 256)."),
        OptionSpec("test-flip", "on or off: average the logits of each image and its mirror image (default off)."),
        OptionSpec.threads,
        OptionSpec("json", value: false, "Print the results as JSON on stdout."),
    ]
    let path: String, batchSize: Int, mirrored: Bool, json: Bool, arguments: Arguments

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one checkpoint path")
        path = arguments.positionals[0]
        batchSize = try arguments.integer("batch-size", default: 256, in: 1...65_536)
        mirrored = try arguments.choice("test-flip", ["on", "off"], default: "off") == "on"
        json = arguments.flag("json")
        self.arguments = arguments
        try arguments.applyThreads()
    }

    func run() throws {
        if let warning = BLAS.slowerKernelsWarning { printError(warning) }
        let checkpoint = try readCheckpoint(path, nonFinite: .warn)
        let data = try DataOptions(arguments, defaultDataset: checkpoint.metadata["dataset"])
        let test = try data.load(.test)
        let loader = try DataLoader(dataset: test, config: .evaluation(batchSize: batchSize))
        let result = try Evaluator.evaluate(checkpoint.model, on: loader, classCount: data.kind.classCount, mirrored: mirrored)
        let latency = try LatencyMeter.measure(checkpoint.model, inputShape: checkpoint.model.spec.inputShape, batchSizes: [batchSize, 1])
        let report = EvaluationReport(checkpoint: path, dataset: data.kind.name, testFlip: mirrored, result: result, latency: latency)
        if json { print(try jsonText(report)); return }
        print(String(format: "%@ on %@ test (%d images%@): top-1 %.2f%%, loss %.4f", path, data.kind.name, result.count,
                     mirrored ? ", logits averaged with the mirror image" : "", 100 * result.accuracy, result.loss))
        print("per-class accuracy: " + result.perClassAccuracy.enumerated().map { String(format: "%d: %.1f%%", $0, 100 * $1) }.joined(separator: ", "))
        for entry in latency {
            print(String(format: "latency at batch %d: %.3f ms median (%.0f images/s)", entry.batchSize, entry.milliseconds, entry.imagesPerSecond))
        }
    }
}

/// What `eval --json` prints.
struct EvaluationReport: Encodable {
    let checkpoint: String, dataset: String, testFlip: Bool
    let result: EvaluationResult
    let latency: [LatencyMeasurement]
}
