import Foundation
import PruneKit

/// `prune-cli experiment list PLAN.json --out DIR`: one runnable command per cell, for GNU parallel
/// (`prune-cli experiment list plan.json --out runs/x | parallel -j 2`).
struct ExperimentListCommand: Command {
    static let name = "experiment list"
    static let abstract = "Print one runnable 'experiment run --cell ID' command per cell (for GNU parallel)."
    static let usage = "experiment list PLAN.json --out DIR [--pending] [--threads N]"
    static let options = [
        OptionSpec("out", "Experiment folder the commands write to."),
        OptionSpec("pending", value: false, "Only cells without a result yet."),
        OptionSpec("threads", "Add '--threads N' to every command."),
    ]
    let planPath: String, out: String, pendingOnly: Bool, threads: Int?

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one plan file")
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        (planPath, self.out, pendingOnly) = (arguments.positionals[0], out, arguments.flag("pending"))
        threads = arguments.given("threads") ? try arguments.integer("threads", default: 1, in: 1...256) : nil
    }

    func run() throws {
        let (plan, cells) = try loadPlan(planPath)
        let layout = ExperimentLayout(root: out)
        // The manifest lets 'experiment report DIR' run after the listed commands.
        try ExperimentRunner(layout: layout, data: ExperimentData(dataDirectory: nil)).saveManifest(ExperimentManifest(name: plan.name, cells: cells, paperReferences: plan.paperReferences))
        let executable = CommandLine.arguments[0]
        for cell in cells where !(pendingOnly && layout.isDone(cell: cell.id)) {
            let words = [executable, "experiment", "run", planPath, "--out", out, "--cell", cell.id, "--no-report"]
                + (threads.map { ["--threads", "\($0)"] } ?? [])
            print(words.map(SlurmScripts.quoted).joined(separator: " "))
        }
    }
}

/// `prune-cli experiment report DIR`: results.csv, timings.csv, results.json, results.md and plots from DIR.
struct ExperimentReportCommand: Command {
    static let name = "experiment report"
    static let abstract = "Write DIR's results.csv/.json/.md, timings.csv and plots from the finished cells."
    static let usage = "experiment report DIR"
    static let options: [OptionSpec] = []
    let out: String

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one experiment folder")
        out = arguments.positionals[0]
    }

    func run() throws { try writeReport(ExperimentLayout(root: out)) }
}
