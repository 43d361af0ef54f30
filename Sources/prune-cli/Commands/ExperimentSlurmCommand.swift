import Foundation
import PruneKit

/// `prune-cli experiment slurm PLAN.json --out DIR`: writes sbatch scripts that run the plan as Slurm job arrays
/// (dense training first, the cells after it with --dependency=afterok, then the report) and, with
/// `--submit`, submits them.
struct ExperimentSlurmCommand: Command {
    static let name = "experiment slurm"
    static let abstract = "Write (and with --submit, submit) Slurm job arrays for a plan: dense models, then cells, then the report."
    static let usage = "experiment slurm PLAN.json --out DIR [--partition P] [--time T] [--cpus-per-task C] [--tasks N] [--data-dir DIR] [--submit]"
    static let options = [
        OptionSpec("out", "Experiment folder (shared by all tasks; the scripts go to DIR/slurm/)."),
        OptionSpec("partition", "Slurm partition (default: the cluster's default)."),
        OptionSpec("time", "Time limit per task, e.g. 04:00:00 (default: the partition's)."),
        OptionSpec("cpus-per-task", "CPUs per task, used as its thread count (default 1)."),
        OptionSpec("tasks", "Tasks in the cells array, each a shard of the cells (default: one per cell)."),
        OptionSpec("data-dir", "Data folder for every task (default: $PRUNEKIT_DATA, exported by sbatch)."),
        OptionSpec("submit", value: false, "Submit the scripts with sbatch and print the job ids."),
    ]
    let planPath: String, out: String, settings: SlurmScripts.Settings, submit: Bool

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one plan file")
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        (planPath, self.out, submit) = (absolute(arguments.positionals[0]), absolute(out), arguments.flag("submit"))
        var settings = SlurmScripts.Settings()
        (settings.partition, settings.timeLimit) = (arguments.string("partition"), arguments.string("time"))
        settings.cpusPerTask = try arguments.integer("cpus-per-task", default: 1, in: 1...1024)
        settings.cellTasks = arguments.given("tasks") ? try arguments.integer("tasks", default: 1, in: 1...100_000) : nil
        settings.dataDirectory = arguments.string("data-dir").map(absolute)
        self.settings = settings
    }

    func run() throws {
        let (plan, cells) = try loadPlan(planPath)
        let runner = ExperimentRunner(layout: ExperimentLayout(root: out), data: ExperimentData(dataDirectory: nil))
        try runner.saveManifest(ExperimentManifest(name: plan.name, cells: cells, paperReferences: plan.paperReferences))
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let scripts = SlurmScripts(executable: executable, planPath: planPath, outputDirectory: out,
                                   denseCount: ExperimentRunner.denseTrainingCells(cells).count, cellCount: cells.count, settings: settings)
        try FileManager.default.createDirectory(atPath: scripts.scriptDirectory + "/logs", withIntermediateDirectories: true)
        for (name, text) in scripts.files {
            let path = scripts.scriptDirectory + "/" + name
            try AtomicFile.write(Data(text.utf8), to: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            printError("wrote \(path)")
        }
        guard submit else { print("submit with: sh \(SlurmScripts.quoted(scripts.scriptDirectory + "/submit.sh"))"); return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [scripts.scriptDirectory + "/submit.sh"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PruneKitError.invalidArgument(operation: "experiment slurm", message: "submit.sh failed with exit \(process.terminationStatus) (is sbatch installed and slurmctld up?)")
        }
    }
}
