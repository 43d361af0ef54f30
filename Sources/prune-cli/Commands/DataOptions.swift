import Foundation
import PruneKit

/// Options shared by commands that read a dataset: `--dataset NAME --data-dir DIR`, plus a subset limit.
struct DataOptions {
    static let options = [
        OptionSpec("dataset", "mnist, fashion-mnist, cifar10 or cifar100."),
        OptionSpec("data-dir", "Data folder (default: $PRUNEKIT_DATA, else ./data), or the dataset's own folder."),
        OptionSpec("train-limit", "Use only the first N training images (quick runs)."),
        OptionSpec("test-limit", "Use only the first N test images (quick runs)."),
    ]
    /// For commands that read only the test split (`--train-limit` would be ignored, so it is not accepted).
    static let testOptions = options.filter { $0.name != "train-limit" }
    let kind: DatasetKind
    let dataDirectory: String?
    let trainLimit: Int?, testLimit: Int?

    init(_ arguments: Arguments, defaultDataset: String? = nil) throws {
        guard let name = arguments.string("dataset") ?? defaultDataset else {
            throw PruneKitError.usage("option '--dataset' is required (mnist, fashion-mnist, cifar10, cifar100)")
        }
        kind = try DatasetKind(name: name)
        dataDirectory = arguments.string("data-dir")
        trainLimit = arguments.string("train-limit") == nil ? nil : try arguments.integer("train-limit", default: 0, in: 1...10_000_000)
        testLimit = arguments.string("test-limit") == nil ? nil : try arguments.integer("test-limit", default: 0, in: 1...10_000_000)
    }

    /// Loads a split, printing its summary (and the lossy or partial note) on stderr.
    func load(_ split: DatasetSplit) throws -> Dataset {
        var dataset = try Dataset.load(kind, split: split, dataDirectory: dataDirectory)
        if let limit = split == .train ? trainLimit : testLimit, limit < dataset.count { dataset = try dataset.prefix(limit) }
        printError(dataset.summary)
        return dataset
    }
}

