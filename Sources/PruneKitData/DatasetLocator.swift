import PruneKitCore

/// Finds a dataset's folder under a data root.
///
/// For each name in `kind.folderNames` (CIFAR-10: `cifar-10-batches-bin`, `cifar-10-jpeg`,
/// `cifar-10-subset`) the subfolder `root/name` is taken if it holds the dataset's files; otherwise the root
/// itself is taken if it holds them directly (`--data-dir ../shared/datasets/cifar-10-jpeg`). A folder holds
/// a dataset when every test file and every training file (CIFAR-10: at least one training batch) exists,
/// plain or `.gz`. MNIST and Fashion-MNIST share file names, so a root named after the other dataset's folder
/// is not accepted directly.
///
/// ```swift
/// let found = try DatasetLocator.locate(.cifar10, in: "../shared/datasets")
/// found.folder    // "../shared/datasets/cifar-10-jpeg"
/// found.note      // "LOSSY: ..." — callers print it
/// ```
public enum DatasetLocator {
    /// Folders examined for `kind`, in order: the known subfolders, then `root` itself.
    public static func searchedFolders(for kind: DatasetKind, root: String) -> [String] {
        kind.folderNames.map { DataFile.joined(root, $0) } + [root]
    }

    /// The first folder of `searchedFolders` that holds `kind`.
    ///
    /// Throws `.fileError` naming the root and every folder searched, and the command that downloads the data.
    public static func locate(_ kind: DatasetKind, in root: String) throws -> LocatedDataset {
        for name in kind.folderNames {
            let folder = DataFile.joined(root, name)
            if holdsDataset(kind, folder: folder) { return LocatedDataset(kind: kind, folder: folder) }
        }
        if acceptsRootDirectly(kind, root: root) && holdsDataset(kind, folder: root) {
            return LocatedDataset(kind: kind, folder: root)
        }
        let searched = searchedFolders(for: kind, root: root).joined(separator: ", ")
        let missingRoot = DataFile.isFolder(root) ? "" : " (the data folder does not exist)"
        throw PruneKitError.fileError(
            path: root,
            message: "no \(kind.name) dataset found\(missingRoot); searched \(searched); "
                + "download it (`prune-cli data fetch \(kind.name)`, or DatasetFetcher), or point the data directory or PRUNEKIT_DATA at it")
    }

    /// Whether `folder` directly contains the files of both splits of `kind`.
    public static func holdsDataset(_ kind: DatasetKind, folder: String) -> Bool {
        guard DataFile.isFolder(folder) else { return false }
        return DatasetSplit.allCases.allSatisfy { split in
            let present = kind.fileNames(for: split).map { DataFile.existingPath(folder: folder, name: $0) != nil }
            return kind.needsEveryFile(of: split) ? present.allSatisfy { $0 } : present.contains(true)
        }
    }

    /// Existing paths (plain or `.gz`) of a split's files in `folder`, in official order.
    ///
    /// Throws `.fileError` naming the first missing file (or, for CIFAR-10 training, the batches looked for).
    public static func files(of kind: DatasetKind, split: DatasetSplit, in folder: String) throws -> [String] {
        let names = kind.fileNames(for: split)
        var paths: [String] = []
        for name in names {
            if let path = DataFile.existingPath(folder: folder, name: name) {
                paths.append(path)
            } else if kind.needsEveryFile(of: split) {
                throw PruneKitError.fileError(path: DataFile.joined(folder, name), message: "no such file (nor \(name).gz)")
            }
        }
        if paths.isEmpty {
            throw PruneKitError.fileError(path: folder, message: "none of \(names.joined(separator: ", ")) (plain or .gz) found")
        }
        return paths
    }

    private static func acceptsRootDirectly(_ kind: DatasetKind, root: String) -> Bool {
        let base = root.split(separator: "/").last.map(String.init) ?? root
        let otherFolders = DatasetKind.allCases.filter { $0 != kind }.flatMap(\.folderNames)
        return !otherFolders.contains(base)
    }
}
