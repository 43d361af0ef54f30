import XCTest
@testable import PruneKitExperiments

/// The sbatch scripts' contents (Scripts/check-slurm.sh submits them to a real single-node Slurm).
final class SlurmScriptsTests: XCTestCase {
    private func scripts(denseCount: Int, cellTasks: Int? = nil) -> [String: String] {
        var settings = SlurmScripts.Settings()
        (settings.partition, settings.timeLimit, settings.cpusPerTask, settings.cellTasks) = ("debug", "01:00:00", 2, cellTasks)
        let scripts = SlurmScripts(executable: "/opt/prune-cli", planPath: "/home/a b/plan.json", outputDirectory: "/scratch/run",
                                   denseCount: denseCount, cellCount: 8, settings: settings)
        return Dictionary(uniqueKeysWithValues: scripts.files.map { ($0.name, $0.text) })
    }

    func testDenseArrayRunsFirstAndCellsDependOnIt() throws {
        let files = scripts(denseCount: 2, cellTasks: 3)
        XCTAssertEqual(files.keys.sorted(), ["cells.sbatch", "dense.sbatch", "report.sbatch", "submit.sh"])
        let dense = try XCTUnwrap(files["dense.sbatch"]), cells = try XCTUnwrap(files["cells.sbatch"])
        XCTAssertTrue(dense.contains("#SBATCH --array=0-1\n"), dense)
        XCTAssertTrue(dense.contains("--dense-only --no-report --shard \"$SLURM_ARRAY_TASK_ID/2\""), dense)
        XCTAssertTrue(cells.contains("#SBATCH --array=0-2\n#SBATCH --cpus-per-task=2\n#SBATCH --partition=debug\n#SBATCH --time=01:00:00\n"), cells)
        XCTAssertTrue(cells.contains("exec /opt/prune-cli experiment run '/home/a b/plan.json' --out /scratch/run --no-report --shard \"$SLURM_ARRAY_TASK_ID/3\""), cells)
        let submit = try XCTUnwrap(files["submit.sh"])
        XCTAssertTrue(submit.contains("--dependency=afterok:\"${dense%%;*}\" /scratch/run/slurm/cells.sbatch"), submit)
        XCTAssertTrue(submit.contains("--dependency=afterok:\"${cells%%;*}\" /scratch/run/slurm/report.sbatch"), submit)
    }

    func testCheckpointPlansHaveNoDenseArrayAndOneTaskPerCellByDefault() {
        let files = scripts(denseCount: 0)
        XCTAssertNil(files["dense.sbatch"])
        XCTAssertTrue(files["cells.sbatch"]!.contains("#SBATCH --array=0-7\n"))
        XCTAssertFalse(files["submit.sh"]!.contains("afterok:\"${dense"))
    }
}
