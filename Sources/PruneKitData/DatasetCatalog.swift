import Foundation
import PruneKitCore

/// Every dataset PruneKit knows, with its download files and where (if anywhere) it is found under a data
/// root; what `prune-cli data list` prints.
///
/// ```swift
/// let catalog = DatasetCatalog(root: DataDirectory.resolve(explicit: nil).path)
/// print(catalog.report)
/// // mnist          10 classes  1x28x28   11.0 MB  found: ./data/mnist
/// // cifar100      100 classes  3x32x32  160.7 MB  missing (prune-cli data fetch cifar100)
/// ```
public struct DatasetCatalog: Sendable {
    /// One dataset's row.
    public struct Entry: Sendable {
        /// The dataset.
        public let kind: DatasetKind
        /// Its official files, URLs, MD5s and sizes.
        public let distribution: DatasetDistribution
        /// Where it was found under the root, or nil.
        public let location: LocatedDataset?
        /// Folders that were examined, in order.
        public let searchedFolders: [String]
    }

    /// The data root that was searched.
    public let root: String
    /// One entry per `DatasetKind`, in declaration order.
    public let entries: [Entry]

    /// Scans `root` for every dataset (no file is read beyond existence checks).
    public init(root: String) {
        self.root = root
        entries = DatasetKind.allCases.map { kind in
            Entry(kind: kind, distribution: kind.distribution, location: try? DatasetLocator.locate(kind, in: root),
                  searchedFolders: DatasetLocator.searchedFolders(for: kind, root: root))
        }
    }

    /// A fixed-width table, one line per dataset, then the download files of each.
    public var report: String {
        var lines = ["data root: \(root)"]
        for entry in entries {
            let shape = entry.kind.imageShape.map(String.init).joined(separator: "x")
            let size = String(format: "%6.1f MB", Double(entry.distribution.downloadBytes) / 1_048_576)
            let status = entry.location.map { "found: \($0.folder)" + ($0.note.map { " (\($0))" } ?? "") }
                ?? "missing (prune-cli data fetch \(entry.kind.name))"
            let name = entry.kind.name.padding(toLength: 14, withPad: " ", startingAt: 0)
            let classes = String(entry.kind.classCount).leftPadded(to: 3)
            lines.append("\(name)\(classes) classes  \(shape)  \(size)  \(status)")
            for file in entry.distribution.files {
                lines.append("    \(file.canonicalURL)  \(file.size) bytes  MD5 \(file.md5)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
