import Foundation
import PruneKit

// Exit codes: 0 success, 1 failure, 64 usage error (EX_USAGE).
let commands: [Command.Type] = [
    TrainCommand.self, PruneCommand.self, EvaluateCommand.self, MethodsCommand.self, SensitivityCommand.self, InfoCommand.self, ModelsCommand.self, DataFetchCommand.self, DataListCommand.self,
    ExportCommand.self, ImportCommand.self, EditCommand.self, BenchOpsCommand.self, BenchCPUCommand.self, BenchModelCommand.self, ExperimentCommand.self, ExperimentPlanCommand.self,
    ExperimentRunCommand.self, ExperimentListCommand.self, ExperimentReportCommand.self, ExperimentSlurmCommand.self,
]

func topLevelHelp() -> String {
    let width = commands.map { $0.name.count }.max() ?? 0
    let lines = commands.map { "  " + $0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.abstract }
    return "prune-cli: train, prune and evaluate convolutional networks (PruneKit).\n\nusage: prune-cli <command> [options]\n\ncommands:\n"
        + lines.joined(separator: "\n") + "\n\nRun 'prune-cli <command> --help' for a command's options.\n"
}

func main() -> Int32 {
    let words = Array(CommandLine.arguments.dropFirst())
    if words.isEmpty || words == ["--help"] || words == ["help"] { print(topLevelHelp(), terminator: ""); return words.isEmpty ? 64 : 0 }
    // Longest verb match: "bench ops" before "bench".
    let match = commands.filter { words.starts(with: $0.name.split(separator: " ").map(String.init)) }
        .max { $0.name.count < $1.name.count }
    guard let command = match else {
        printError("prune-cli: unknown command '\(words[0])'\n\n" + topLevelHelp())
        return 64
    }
    let rest = Array(words.dropFirst(command.name.split(separator: " ").count))
    if rest.contains("--help") { print(command.help, terminator: ""); return 0 }
    do {
        let instance = try command.init(Arguments(rest, options: command.options))
        try instance.run()
        return 0
    } catch let error as PruneKitError {
        var error = error
        if case let .invalidParameter(name, expected, found) = error {
            error = ParameterFlags.usage(name: name, expected: expected, found: found)
        }
        if case .usage(let message) = error {
            printError("prune-cli \(command.name): \(message)\nRun 'prune-cli \(command.name) --help' for usage.")
            return 64
        }
        printError("prune-cli \(command.name): error: \(error.description)")
        return 1
    } catch {
        printError("prune-cli \(command.name): error: \(error)")
        return 1
    }
}

exit(main())
