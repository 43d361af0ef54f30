import Foundation
import PruneKit

/// One verb of `prune-cli`: parse -> validate (in `init`) -> `run()`. Help text is golden-tested.
protocol Command {
    /// The verb, e.g. "train" or "bench ops".
    static var name: String { get }
    /// One sentence for `prune-cli --help`.
    static var abstract: String { get }
    /// Usage line(s) after "usage: prune-cli ".
    static var usage: String { get }
    /// Accepted options (`--help` is added for every command).
    static var options: [OptionSpec] { get }
    /// Parses and validates; throws `PruneKitError.usage` for bad flags and values.
    init(_ arguments: Arguments) throws
    /// Does the work; results on stdout, progress on stderr.
    func run() throws
}

extension Command {
    /// The full help screen.
    static var help: String {
        // "help" counts too: a command without options still lines up "--help" and its text.
        let width = (options.map { $0.name.count + ($0.takesValue ? 8 : 0) } + ["help".count]).max()!
        let lines = options.map { option -> String in
            let left = "--" + option.name + (option.takesValue ? " <value>" : "")
            return "  " + left.padding(toLength: width + 4, withPad: " ", startingAt: 0) + option.help
        } + ["  " + "--help".padding(toLength: width + 4, withPad: " ", startingAt: 0) + "Show this help."]
        return "\(abstract)\n\nusage: prune-cli \(usage)\n\noptions:\n" + lines.joined(separator: "\n") + "\n"
    }
}

/// Writes a line to standard error (progress, warnings).
func printError(_ text: String) {
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
}

/// JSON text of an Encodable value with sorted keys.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
