/// sbatch scripts that run an experiment as Slurm job arrays, all writing into one DIR:
///
///     dense.sbatch    array over the distinct dense models (`experiment run --dense-only --shard K/D`)
///     cells.sbatch    array over cell shards (`experiment run --shard K/N`), --dependency=afterok on dense
///     report.sbatch   one task (`experiment report DIR`), --dependency=afterok on cells
///     submit.sh       submits the three in order with `sbatch --parsable` and prints the job ids
///
/// Every task writes only its own cells' folders (atomically), so a failed or preempted task is simply
/// re-submitted; finished cells are skipped.
///
/// ```swift
/// var settings = SlurmScripts.Settings(); settings.cpusPerTask = 2
/// let scripts = SlurmScripts(executable: "/usr/local/bin/prune-cli", planPath: "/home/me/plan.json",
///                            outputDirectory: "/scratch/run", denseCount: 2, cellCount: 8, settings: settings)
/// for (name, text) in scripts.files { try text.write(toFile: "/scratch/run/slurm/" + name, atomically: true, encoding: .utf8) }
/// ```
public struct SlurmScripts {
    /// Scheduler options shared by the arrays.
    public struct Settings: Equatable {
        /// `--partition` (nil: the cluster's default).
        public var partition: String?
        /// `--time` limit per task, e.g. "04:00:00" (nil: the partition's).
        public var timeLimit: String?
        /// `--cpus-per-task`; each task runs with this many threads.
        public var cpusPerTask = 1
        /// Tasks in the cells array (nil: one per cell); at most the cell count.
        public var cellTasks: Int?
        /// Extra `--data-dir` for every task (nil: PRUNEKIT_DATA, exported by sbatch, else ./data).
        public var dataDirectory: String?

        /// One CPU a task, default partition and time.
        public init() {}
    }

    /// Absolute paths of prune-cli, the plan and DIR.
    public let executable: String, planPath: String, outputDirectory: String
    /// Distinct dense models to train (0: every model is a checkpoint) and cells.
    public let denseCount: Int, cellCount: Int
    /// Scheduler options.
    public let settings: Settings

    /// Scripts for a plan with `denseCount` dense models and `cellCount` cells.
    public init(executable: String, planPath: String, outputDirectory: String, denseCount: Int, cellCount: Int, settings: Settings) {
        (self.executable, self.planPath, self.outputDirectory) = (executable, planPath, outputDirectory)
        (self.denseCount, self.cellCount, self.settings) = (denseCount, cellCount, settings)
    }

    /// Tasks in the cells array.
    public var cellTasks: Int { max(1, min(settings.cellTasks ?? cellCount, cellCount)) }

    /// File name -> content, for DIR/slurm/.
    public var files: [(name: String, text: String)] {
        var files: [(String, String)] = []
        if denseCount > 0 { files.append(("dense.sbatch", arrayScript(name: "dense", tasks: denseCount, extra: ["--dense-only"]))) }
        files.append(("cells.sbatch", arrayScript(name: "cells", tasks: cellTasks, extra: [])))
        files.append(("report.sbatch", reportScript))
        files.append(("submit.sh", submitScript))
        return files
    }

    /// The folder for the scripts and the task logs.
    public var scriptDirectory: String { outputDirectory + "/slurm" }

    private func header(name: String, array: Int?) -> [String] {
        var lines = ["#!/bin/sh", "#SBATCH --job-name=prunekit-\(name)"]
        if let array { lines.append("#SBATCH --array=0-\(array - 1)") }
        lines.append("#SBATCH --cpus-per-task=\(settings.cpusPerTask)")
        if let partition = settings.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time = settings.timeLimit { lines.append("#SBATCH --time=\(time)") }
        lines.append("#SBATCH --output=\(scriptDirectory)/logs/\(name)-\(array == nil ? "%j" : "%A_%a").out")
        return lines + ["set -e"]
    }

    private func arrayScript(name: String, tasks: Int, extra: [String]) -> String {
        let words = [executable, "experiment", "run", planPath, "--out", outputDirectory] + extra + ["--no-report"]
            + (settings.dataDirectory.map { ["--data-dir", $0] } ?? [])
        let command = words.map(Self.quoted).joined(separator: " ")
            + " --shard \"$SLURM_ARRAY_TASK_ID/\(tasks)\" --threads \"${SLURM_CPUS_PER_TASK:-\(settings.cpusPerTask)}\""
        return (header(name: name, array: tasks) + ["exec " + command]).joined(separator: "\n") + "\n"
    }

    private var reportScript: String {
        let command = [executable, "experiment", "report", outputDirectory].map(Self.quoted).joined(separator: " ")
        return (header(name: "report", array: nil) + ["exec " + command]).joined(separator: "\n") + "\n"
    }

    private var submitScript: String {
        let directory = Self.quoted(scriptDirectory)
        var lines = ["#!/bin/sh", "# Submits the experiment's arrays in order; prints the job ids (dense, cells, report).", "set -e",
                     "mkdir -p \(directory)/logs"]
        if denseCount > 0 {
            lines += ["dense=$(sbatch --parsable \(directory)/dense.sbatch)",
                      "cells=$(sbatch --parsable --dependency=afterok:\"${dense%%;*}\" \(directory)/cells.sbatch)"]
        } else {
            lines += ["dense=none", "cells=$(sbatch --parsable \(directory)/cells.sbatch)"]
        }
        lines += ["report=$(sbatch --parsable --dependency=afterok:\"${cells%%;*}\" \(directory)/report.sbatch)",
                  "echo \"dense ${dense%%;*} cells ${cells%%;*} report ${report%%;*}\""]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` quoted for a POSIX shell unless it holds only safe characters.
    public static func quoted(_ text: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !text.isEmpty && text.allSatisfy(safe.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
