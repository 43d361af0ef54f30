import Foundation
import PruneKit

/// `prune-cli experiment`: the overview of the batch-experiment verbs and the plan file's keys.
struct ExperimentCommand: Command {
    static let name = "experiment"
    static let abstract = "Batch experiments: run a plan's grid of models x methods x targets x seeds, resumably (see its --help)."
    static let usage = """
        experiment plan [PLAN.json]                 list the plan keys, or validate a plan and list its cells
               experiment run PLAN.json --out DIR [--jobs N] [--shard K/N] [--cell ID,...]
               experiment list PLAN.json --out DIR [--pending]
               experiment report DIR

        Results go to DIR/results.csv (FLOPs, parameters, accuracies: byte-identical across reruns),
        DIR/timings.csv (speedups and stage times), DIR/results.json, DIR/results.md and DIR/plots/*.svg.

        plan keys (JSON):
        \(PlanKeys.listing)
        """
    static let options: [OptionSpec] = []

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(0, "a subcommand: plan, run, list or report")
    }

    func run() throws { print(Self.help, terminator: "") }
}

/// `prune-cli experiment plan [PLAN.json]`: without a plan, the keys; with one, validates it and lists its cells.
struct ExperimentPlanCommand: Command {
    static let name = "experiment plan"
    static let abstract = "List the plan file's keys, or validate a plan and list its cells (exit 64 naming a bad key)."
    static let usage = "experiment plan [PLAN.json]\n\nplan keys (JSON):\n" + PlanKeys.listing
    static let options: [OptionSpec] = []
    let planPath: String?

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count <= 1 else { throw PruneKitError.usage("expected at most one plan file") }
        planPath = arguments.positionals.first
    }

    func run() throws {
        guard let planPath else { print("plan keys (JSON):\n" + PlanKeys.listing); return }
        let (_, cells) = try loadPlan(planPath)
        print("\(planPath): valid, \(cells.count) cells")
        for cell in cells {
            let configuration = cell.configuration, dense = configuration.dense
            print("  \(cell.index) \(cell.id)  \(dense.dataset) \(dense.model) \(cell.label) \(configuration.target) seed \(configuration.seed)")
        }
    }
}

/// Reads and expands the plan at `path`; a bad key or value is a usage error naming the key path.
func loadPlan(_ path: String) throws -> (ExperimentPlan, [ExperimentCell]) {
    do {
        let plan = try ExperimentPlan.read(path: path)
        return (plan, try plan.cells())
    } catch let PruneKitError.invalidParameter(name, expected, found) {
        throw PruneKitError.usage("\(path): \(name): expected \(expected), found \(found)")
    }
}
