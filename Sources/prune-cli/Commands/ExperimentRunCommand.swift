import Foundation
import PruneKit

/// `prune-cli experiment run PLAN.json --out DIR`: trains the dense models once, runs every cell not yet done
/// (resuming an interrupted one), and writes the report. `--jobs N` runs N cells at once as child processes
/// (`--cell ID`) with the threads split between them; `--shard K/N` runs the cells with index % N == K.
struct ExperimentRunCommand: Command {
    static let name = "experiment run"
    static let abstract = "Run a plan's cells into DIR (skips finished cells, resumes an interrupted one), then report."
    static let usage = "experiment run PLAN.json --out DIR [--jobs N] [--shard K/N] [--cell ID,...] [--dense-only] [--data-dir DIR] [--threads N] [--no-report]"
    static let options = [
        OptionSpec("out", "Experiment folder (dense/, cells/, results.*; created if missing)."),
        OptionSpec("jobs", "Cells run at once, each a child process with threads/N threads (default 1)."),
        OptionSpec("shard", "K/N: run only the cells whose index % N == K (Slurm arrays; same DIR for all shards)."),
        OptionSpec("cell", "Run only these cells (comma-separated ids, as 'experiment list' prints)."),
        OptionSpec("data-dir", "Data folder (default: $PRUNEKIT_DATA, else ./data)."),
        OptionSpec.threads,
        OptionSpec("dense-only", value: false, "Only train the dense models (with --shard K/N: those at positions % N == K)."),
        OptionSpec("no-report", value: false, "Do not write the report at the end (shards, child processes)."),
    ]
    let planPath: String, out: String, jobs: Int, shard: (index: Int, count: Int)?, cellIDs: [String]
    let dataDirectory: String?, writesReport: Bool, denseOnly: Bool

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one plan file")
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        (planPath, self.out, dataDirectory) = (arguments.positionals[0], out, arguments.string("data-dir"))
        jobs = try arguments.integer("jobs", default: 1, in: 1...256)
        shard = try arguments.string("shard").map(Self.parseShard)
        cellIDs = arguments.string("cell").map { $0.split(separator: ",").map(String.init) } ?? []
        writesReport = !arguments.flag("no-report")
        denseOnly = arguments.flag("dense-only")
        try arguments.applyThreads()
    }

    /// "K/N" with 0 <= K < N.
    static func parseShard(_ text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let index = parts[0], let count = parts[1], count > 0, (0..<count).contains(index) else {
            throw PruneKitError.usage("option '--shard': expected K/N with 0 <= K < N, found '\(text)'")
        }
        return (index, count)
    }

    func run() throws {
        let (plan, cells) = try loadPlan(planPath)
        let unknown = cellIDs.filter { id in !cells.contains { $0.id == id } }
        guard unknown.isEmpty else { throw PruneKitError.usage("option '--cell': \(unknown.joined(separator: ", ")) is not a cell of \(planPath)") }
        var runner = ExperimentRunner(layout: ExperimentLayout(root: out), data: ExperimentData(dataDirectory: dataDirectory))
        runner.log = { printError($0) }
        try runner.saveManifest(ExperimentManifest(name: plan.name, cells: cells, paperReferences: plan.paperReferences))
        if denseOnly {
            let models = ExperimentRunner.denseTrainingCells(ExperimentRunner.select(cells, ids: cellIDs))
            let selected = models.enumerated().filter { entry in shard.map { entry.offset % $0.count == $0.index } ?? true }.map(\.element)
            printError("\(planPath): \(models.count) dense models, \(selected.count) selected")
            try runner.trainDenseModels(for: selected)
            return
        }
        let selected = ExperimentRunner.select(cells, shard: shard, ids: cellIDs)
        printError("\(planPath): \(cells.count) cells, \(selected.count) selected, "
                   + "\(selected.filter { runner.layout.isDone(cell: $0.id) }.count) already done")
        let failures = jobs > 1 ? try runInParallel(selected, runner: runner) : runInProcess(selected, runner: runner)
        if writesReport { try writeReport(ExperimentLayout(root: out)) }
        guard failures.isEmpty else {
            throw PruneKitError.invalidArgument(operation: "experiment run", message: "\(failures.count) cells failed: \(failures.joined(separator: "; "))")
        }
    }

    /// Runs the cells one after another; a failing cell is reported and the others still run.
    private func runInProcess(_ cells: [ExperimentCell], runner: ExperimentRunner) -> [String] {
        var failures: [String] = []
        for cell in cells {
            do { _ = try runner.runCell(cell) } catch {
                printError("cell \(cell.id) failed: \(error)")
                failures.append("\(cell.id): \(error)")
            }
        }
        return failures
    }

    /// Trains the dense models here, then runs the pending cells as `--cell` child processes, `jobs` at a time,
    /// each with its share of the threads and its output in DIR/cells/<id>/process.log.
    private func runInParallel(_ cells: [ExperimentCell], runner: ExperimentRunner) throws -> [String] {
        try runner.trainDenseModels(for: cells)
        let pending = cells.filter { !runner.layout.isDone(cell: $0.id) }
        let threads = max(1, Parallel.threadCount / jobs)
        var running: [(String, Process)] = [], failures: [String] = []
        func reap(_ entry: (String, Process)) {
            entry.1.waitUntilExit()
            if entry.1.terminationStatus != 0 { failures.append("\(entry.0): exit \(entry.1.terminationStatus), see its process.log") }
        }
        for cell in pending {
            if running.count == jobs { reap(running.removeFirst()) }
            running.append((cell.id, try childProcess(cell, threads: threads, layout: runner.layout)))
        }
        running.forEach(reap)
        return failures
    }

    private func childProcess(_ cell: ExperimentCell, threads: Int, layout: ExperimentLayout) throws -> Process {
        let directory = layout.cellDirectory(cell.id)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logPath = directory + "/process.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        process.arguments = ["experiment", "run", planPath, "--out", out, "--cell", cell.id, "--threads", "\(threads)", "--no-report"]
            + (dataDirectory.map { ["--data-dir", $0] } ?? [])
        let handle = FileHandle(forWritingAtPath: logPath)
        (process.standardOutput, process.standardError) = (handle, handle)
        printError("cell \(cell.id): started (\(threads) threads), log \(logPath)")
        try process.run()
        return process
    }
}

/// Writes DIR's report and prints where it went.
func writeReport(_ layout: ExperimentLayout) throws {
    let report = try ExperimentReport(layout: layout)
    let paths = try report.write(to: layout)
    printError("report: \(report.rows.count) rows, \(report.pendingCells.count) cells pending; wrote \(paths.count) files in \(layout.root)")
    print(report.markdown, terminator: "")
}
