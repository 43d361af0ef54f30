import Foundation
import PruneKit

/// `prune-cli export CKPT --out PATH`: the model alone (state_dict, spec, history), without optimizer
/// momentum, for sharing, for `Models/`, or for PyTorch's `safetensors.torch.load_file`.
struct ExportCommand: Command {
    static let name = "export"
    static let abstract = "Write a checkpoint's model without optimizer state (for sharing or PyTorch)."
    static let usage = "export CKPT --out PATH"
    static let options = [OptionSpec("out", "Destination .safetensors file (written atomically).")]
    let source: String, destination: String

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one checkpoint path")
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        (source, destination) = (arguments.positionals[0], out)
    }

    func run() throws {
        var checkpoint = try readCheckpoint(source, nonFinite: .warn)
        checkpoint.optimizerState = [:]
        try checkpoint.write(to: destination)
        print("\(destination): \(checkpoint.model.parameterCount) parameters, \(try checkpoint.model.cost().flops) FLOPs per image")
    }
}
