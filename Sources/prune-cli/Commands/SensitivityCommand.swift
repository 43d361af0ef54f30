import Foundation
import PruneKit

/// `prune-cli sensitivity CKPT --method l1 --ratios 0.1:0.9:0.1 --out DIR`: prunes one group at a time at
/// each ratio (Li et al. 2017, Fig. 2), writing `sensitivity.csv` (group, ratio, accuracy, FLOPs,
/// parameters) and `sensitivity.svg` (accuracy vs ratio, one line per group).
struct SensitivityCommand: Command {
    static let name = "sensitivity"
    static let abstract = "Prune one group at a time over a range of ratios; write a CSV and an SVG plot."
    static let usage = "sensitivity CKPT --method NAME --ratios START:STOP:STEP --out DIR [--groups a,b] [--dataset NAME]"
    static let options = [
        OptionSpec("method", "A structured method's criterion (l1, l2, random, taylor, slimming)."),
        OptionSpec("ratios", "Ratios as START:STOP:STEP (inclusive) or a comma list (default 0.1:0.9:0.1)."),
        OptionSpec("groups", "Only these groups (default: every prunable group)."),
        OptionSpec("out", "Folder for sensitivity.csv and sensitivity.svg."),
        OptionSpec("batch-size", "Images per evaluation batch (default 256)."),
        OptionSpec.threads,
    ] + DataOptions.options
    let path: String, method: String, ratios: [Double], groups: [String]?, out: String, batchSize: Int, arguments: Arguments

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one checkpoint path")
        guard let method = arguments.string("method") else { throw PruneKitError.usage("option '--method' is required") }
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        (path, self.method, self.out, self.arguments) = (arguments.positionals[0], try PrunerRegistry.entry(named: method).name, out, arguments)
        ratios = try SensitivityAnalysis.ratios(parsing: arguments.string("ratios") ?? "0.1:0.9:0.1")
        groups = arguments.string("groups").map { $0.split(separator: ",").map(String.init) }
        batchSize = try arguments.integer("batch-size", default: 256, in: 1...65_536)
        try arguments.applyThreads()
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let checkpoint = try readCheckpoint(path, nonFinite: .warn)
        let data = try DataOptions(arguments, defaultDataset: checkpoint.metadata["dataset"])
        let test = try DataLoader(dataset: try data.load(.test), config: .evaluation(batchSize: batchSize))
        let train = try DataLoader(dataset: try data.load(.train), config: .evaluation(batchSize: batchSize))
        let result = try SensitivityAnalysis.run(model: checkpoint.model, method: method, config: PruningConfig(), ratios: ratios,
                                                 data: PruningData(training: train, evaluation: test), groups: groups,
                                                 log: { printError($0) })
        try AtomicFile.write(Data(result.csv.utf8), to: out + "/sensitivity.csv")
        let title = "\(checkpoint.model.spec.name) \(method) sensitivity (dense \(String(format: "%.2f", 100 * result.denseAccuracy))%)"
        try AtomicFile.write(Data(SensitivityPlot.svg(result, title: title).utf8), to: out + "/sensitivity.svg")
        print(result.csv, terminator: "")
    }
}
