import PruneKitCore

/// Where a dataset was found, and what to tell the user about that copy.
public struct LocatedDataset: Equatable, Sendable {
    /// The dataset.
    public let kind: DatasetKind
    /// Folder holding the files.
    public let folder: String

    /// Records a dataset folder.
    public init(kind: DatasetKind, folder: String) {
        self.kind = kind
        self.folder = folder
    }

    /// Last path component of `folder`, e.g. `cifar-10-jpeg`.
    public var variant: String {
        folder.split(separator: "/").last.map(String.init) ?? folder
    }

    /// True for the JPEG-derived CIFAR-10 copy, whose pixels differ from the official ones.
    public var isLossy: Bool { variant == "cifar-10-jpeg" }

    /// A caveat to print with results, or nil for an official copy.
    public var note: String? {
        if isLossy {
            return "LOSSY JPEG-derived copy of CIFAR-10: report results as \"CIFAR-10 (JPEG-degraded copy)\""
        }
        if variant == "cifar-10-subset" { return "lossless prefix of the official CIFAR-10 files" }
        return nil
    }
}
