import Foundation
import PruneKit

/// `prune-cli data fetch NAME`: downloads a dataset from its canonical URLs with MD5 verification.
struct DataFetchCommand: Command {
    static let name = "data fetch"
    static let abstract = "Download a dataset (mnist, fashion-mnist, cifar10, cifar100) with MD5 checks."
    static let usage = "data fetch NAME [--data-dir DIR] [--base-url URL]"
    static let options = [
        OptionSpec("data-dir", "Folder to download into (default: $PRUNEKIT_DATA, else ./data)."),
        OptionSpec("base-url", "Replace the host part of every URL (mirrors, tests)."),
    ]
    let kind: DatasetKind, root: String, baseURL: String?

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one dataset name (mnist, fashion-mnist, cifar10, cifar100)")
        kind = try DatasetKind(name: arguments.positionals[0])
        root = DataDirectory.resolve(explicit: arguments.string("data-dir")).path
        baseURL = arguments.string("base-url")
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let located = try DatasetFetcher(baseURL: baseURL, onEvent: { printError($0.description) }).fetch(kind, into: root)
        print("\(kind.name): \(located.folder)")
    }
}

/// `prune-cli data list`: which datasets are present where.
struct DataListCommand: Command {
    static let name = "data list"
    static let abstract = "List the datasets PruneKit knows and where each is found locally."
    static let usage = "data list [--data-dir DIR]"
    static let options = [OptionSpec("data-dir", "Folder to look in (default: $PRUNEKIT_DATA, else ./data).")]
    let root: String

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(0, "no positional arguments")
        root = DataDirectory.resolve(explicit: arguments.string("data-dir")).path
    }

    func run() throws {
        let report = DatasetCatalog(root: root).report
        print(report, terminator: report.hasSuffix("\n") ? "" : "\n")
    }
}

/// `prune-cli models`: the zoo, one line each.
struct ModelsCommand: Command {
    static let name = "models"
    static let abstract = "List the model zoo with parameters and FLOPs."
    static let usage = "models"
    static let options: [OptionSpec] = []
    init(_ arguments: Arguments) throws { try arguments.requirePositionals(0, "no positional arguments") }

    func run() throws {
        for entry in ModelZoo.entries {
            let cost = try ModelCost(spec: entry.spec)
            print(entry.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                  + String(format: "%12d params %10.2f MFLOPs  ", cost.parameterCount, Double(cost.flops) / 1e6) + entry.summary)
        }
    }
}
