import PruneKit

/// One option a command accepts: `--name VALUE` when `takesValue`, else a bare `--name` flag.
struct OptionSpec {
    let name: String
    let takesValue: Bool
    let help: String
    init(_ name: String, value: Bool = true, _ help: String) { (self.name, takesValue, self.help) = (name, value, help) }
}

extension OptionSpec {
    /// `--threads N`, shared by every command that computes: sets `Parallel.threadCount`.
    static let threads = OptionSpec("threads", "Worker threads (default: PRUNEKIT_THREADS or all cores).")
}

/// Command-line words split into positionals, `--key value` options and `--flag`s, checked against the
/// command's option list: an unknown option or a missing value is a usage error (exit 64) naming it.
struct Arguments {
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ words: [String], options: [OptionSpec]) throws {
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else { positionals.append(word); continue }
            var name = String(word.dropFirst(2)), inline: String?
            if let equals = name.firstIndex(of: "=") { inline = String(name[name.index(after: equals)...]); name = String(name[..<equals]) }
            guard let spec = options.first(where: { $0.name == name }) else {
                throw PruneKitError.usage("unknown option '--\(name)'")
            }
            if spec.takesValue {
                if let inline { values[name] = inline; continue }
                guard index < words.count else { throw PruneKitError.usage("option '--\(name)' needs a value") }
                values[name] = words[index]
                index += 1
            } else {
                guard inline == nil else { throw PruneKitError.usage("option '--\(name)' takes no value") }
                flags.insert(name)
            }
        }
    }

    func string(_ name: String) -> String? { values[name] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
    /// Whether `--name` was given, with or without a value.
    func given(_ name: String) -> Bool { values[name] != nil || flags.contains(name) }

    /// Throws a usage error naming the first of `names` that was given: for flags the chosen path would ignore.
    func reject(_ names: [String], because reason: String) throws {
        if let name = names.first(where: given) { throw PruneKitError.usage("option '--\(name)' \(reason)") }
    }

    /// An integer option within `range`, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let text = values[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw PruneKitError.usage("option '--\(name)': expected an integer in \(range.lowerBound)...\(range.upperBound), found '\(text)'")
        }
        return value
    }

    /// A floating-point option within `range`, or `defaultValue` when absent.
    func number(_ name: String, default defaultValue: Double, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double {
        guard let text = values[name] else { return defaultValue }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw PruneKitError.usage("option '--\(name)': expected a number in \(range.lowerBound)...\(range.upperBound), found '\(text)'")
        }
        return value
    }

    /// A value from a closed list, or `defaultValue`.
    func choice(_ name: String, _ allowed: [String], default defaultValue: String) throws -> String {
        guard let text = values[name] else { return defaultValue }
        guard allowed.contains(text) else {
            throw PruneKitError.usage("option '--\(name)': expected one of \(allowed.joined(separator: ", ")), found '\(text)'")
        }
        return text
    }

    /// Applies `--threads` (1...256) to `Parallel.threadCount` when given.
    func applyThreads() throws {
        Parallel.threadCount = try integer("threads", default: Parallel.threadCount, in: 1...256)
    }

    /// Throws unless exactly `count` positionals were given.
    func requirePositionals(_ count: Int, _ what: String) throws {
        guard positionals.count == count else {
            throw PruneKitError.usage("expected \(what), found \(positionals.isEmpty ? "nothing" : positionals.map { "'\($0)'" }.joined(separator: " "))")
        }
    }
}
