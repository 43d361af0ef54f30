import Foundation
import PruneKitCore

/// What `DatasetFetcher` is doing, for progress lines on stderr.
public enum FetchEvent: Equatable, Sendable {
    /// A file (or extracted dataset folder) is already in place and verified; nothing downloaded.
    case alreadyPresent(file: String)
    /// Bytes received so far (reported about every MiB and at the end); total when the server sent a length.
    case downloading(file: String, receivedBytes: Int64, totalBytes: Int64?)
    /// The download continued a part file from this byte instead of starting over.
    case resumed(file: String, fromByte: Int64)
    /// The file's MD5 matched the published one.
    case verified(file: String, md5: String)
    /// Unpacking an archive started.
    case extracting(archive: String)
    /// A file came out of the archive.
    case extracted(file: String)
}

extension FetchEvent: CustomStringConvertible {
    /// A one-line human-readable rendering, e.g. `downloading train-images-idx3-ubyte.gz: 4.0 / 9.5 MB`.
    public var description: String {
        func megabytes(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }
        switch self {
        case let .alreadyPresent(file): return "already present: \(file)"
        case let .downloading(file, received, total):
            return "downloading \(file): \(megabytes(received))" + (total.map { " / \(megabytes($0))" } ?? "") + " MB"
        case let .resumed(file, fromByte): return "resumed \(file) from byte \(fromByte)"
        case let .verified(file, md5): return "verified \(file) (MD5 \(md5))"
        case let .extracting(archive): return "extracting \(archive)"
        case let .extracted(file): return "extracted \(file)"
        }
    }
}
