import Foundation
import PruneKit

/// `prune-cli edit CKPT --out PATH [--remove-blocks ADD,...] [--factorise CONV,...]`: structural edits of a
/// checkpoint's network as graph operations (`StructuralSurgery`): remove residual blocks by the name of the `add`
/// that joins them (the shortcut stays), and replace convolutions by factorised ones (rotation-in, core, rotation-out
/// with identity bases, so the function is unchanged and the inner ranks become prunable groups). `--list-blocks`
/// prints the removable blocks. `--prune-columns F` prunes F of the im2col columns of every conv but the first by
/// L1 magnitude (`StructuralSurgery.pruneColumns`; column-sparse convs then compute only the kept columns). The result keeps the checkpoint's metadata (dataset, history) but no optimizer state;
/// it prints parameters and FLOPs before and after, and records the dense architecture (`dense_spec`) for `bench CKPT`.
struct EditCommand: Command {
    static let name = "edit"
    static let abstract = "Remove residual blocks, factorise convolutions or prune conv columns of a checkpoint's network (graph edits)."
    static let usage = "edit CKPT (--list-blocks | --out PATH [--remove-blocks ADD,...] [--factorise CONV,...] [--prune-columns F])"
    static let options = [OptionSpec("out", "Destination .safetensors file (written atomically)."),
                          OptionSpec("remove-blocks", "Comma-separated add nodes whose residual branches go (see --list-blocks)."),
                          OptionSpec("factorise", "Comma-separated convolutions to factorise (identity bases: same function)."),
                          OptionSpec("prune-columns", "Prune this fraction of every conv's im2col columns but the first conv's, by L1 norm."),
                          OptionSpec("list-blocks", value: false, "Print the removable residual blocks (their add nodes) and exit.")]
    let source: String, destination: String?, removals: [String], factorisations: [String], listsBlocks: Bool
    let columnFraction: Double?

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one checkpoint path")
        source = arguments.positionals[0]
        destination = arguments.string("out")
        func list(_ name: String) -> [String] {
            (arguments.string(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        (removals, factorisations, listsBlocks) = (list("remove-blocks"), list("factorise"), arguments.given("list-blocks"))
        guard listsBlocks || destination != nil else { throw PruneKitError.usage("option '--out' is required (or --list-blocks)") }
        columnFraction = arguments.given("prune-columns") ? try arguments.number("prune-columns", default: 0, in: 0...0.999) : nil
        guard listsBlocks || !removals.isEmpty || !factorisations.isEmpty || columnFraction != nil else {
            throw PruneKitError.usage("nothing to do: give --remove-blocks, --factorise and/or --prune-columns (or --list-blocks)")
        }
    }

    func run() throws {
        let checkpoint = try readCheckpoint(source, nonFinite: .warn)
        if listsBlocks {
            for join in checkpoint.model.graph.residualJoins { print(join) }
            return
        }
        var model = checkpoint.model
        let before = try model.cost()
        for join in removals {
            model = try usage("--remove-blocks", join) { try StructuralSurgery.removeResidualBlock(joinedAt: join, from: model) }
        }
        for name in factorisations {
            model = try usage("--factorise", name) { try StructuralSurgery.factorise(name, in: model) }
        }
        if let columnFraction {
            model = try usage("--prune-columns", "\(columnFraction)") { try StructuralSurgery.pruneColumns(fraction: columnFraction, in: model) }
        }
        let after = try model.cost()
        var metadata = checkpoint.metadata
        metadata[DenseArchitecture.metadataKey] = try DenseArchitecture.record(for: checkpoint)  // bench CKPT's reference
        try ModelCheckpoint(model: model, trainConfig: checkpoint.trainConfig, metadata: metadata).write(to: destination!)
        print("\(destination!): parameters \(before.parameterCount) -> \(after.parameterCount), FLOPs per image \(before.flops) -> \(after.flops)")
    }

    /// Runs one edit, turning a bad name into a usage error naming the option and the value.
    private func usage(_ option: String, _ value: String, _ edit: () throws -> Model) throws -> Model {
        do { return try edit() } catch let error as PruneKitError {
            throw PruneKitError.usage("option '\(option)': cannot apply to '\(value)': \(error)")
        }
    }
}
