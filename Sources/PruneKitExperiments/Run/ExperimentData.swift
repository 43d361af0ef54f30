import PruneKitCore
import PruneKitData

/// The train and test splits a run reads, each loaded once per process and cut to the plan's limits.
///
/// ```swift
/// let data = ExperimentData(dataDirectory: nil)
/// let (train, test) = try data.splits(.mnist, trainLimit: 2000, testLimit: 500)
/// ```
public final class ExperimentData {
    /// The data root (nil: PRUNEKIT_DATA, else ./data).
    public let dataDirectory: String?
    private var cache: [String: Dataset] = [:]

    /// A loader over `dataDirectory`.
    public init(dataDirectory: String?) { self.dataDirectory = dataDirectory }

    /// The first `trainLimit` training and `testLimit` test images of `kind` (nil: all).
    public func splits(_ kind: DatasetKind, trainLimit: Int?, testLimit: Int?) throws -> (train: Dataset, test: Dataset) {
        (try split(kind, .train, limit: trainLimit), try split(kind, .test, limit: testLimit))
    }

    private func split(_ kind: DatasetKind, _ split: DatasetSplit, limit: Int?) throws -> Dataset {
        let key = "\(kind.name)/\(split)"
        let full = try cache[key] ?? Dataset.load(kind, split: split, dataDirectory: dataDirectory)
        cache[key] = full
        guard let limit, limit < full.count else { return full }
        return try full.prefix(limit)
    }
}
