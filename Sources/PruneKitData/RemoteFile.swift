import Foundation
import PruneKitCore

/// One file of a dataset's official distribution: where it lives, its size and its published MD5.
///
/// `url(baseURL:)` applies a mirror override: the override replaces the scheme, host and port of the
/// canonical URL and keeps its path (an override with its own path is prefixed to it), e.g.
/// `https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz` with base
/// `http://127.0.0.1:8000` → `http://127.0.0.1:8000/mnist/t10k-labels-idx1-ubyte.gz`.
///
/// ```swift
/// let file = DatasetKind.mnist.distribution.files[0]
/// file.url(baseURL: nil)      // the canonical URL
/// ```
public struct RemoteFile: Equatable, Sendable {
    /// Local file name (the last component of the URL).
    public let name: String
    /// Canonical download address.
    public let canonicalURL: String
    /// Published MD5, lower-case hex.
    public let md5: String
    /// Size in bytes of the published file.
    public let size: Int64

    /// A file description.
    public init(name: String, canonicalURL: String, md5: String, size: Int64) {
        self.name = name
        self.canonicalURL = canonicalURL
        self.md5 = md5
        self.size = size
    }

    /// The address to download from: canonical, or with its origin replaced by `baseURL`.
    ///
    /// Throws `.usage` when `baseURL` is not an absolute http(s) URL.
    public func url(baseURL: String?) throws -> URL {
        guard let canonical = URLComponents(string: canonicalURL) else {
            throw PruneKitError.invalidArgument(operation: "RemoteFile", message: "bad canonical URL \(canonicalURL)")
        }
        var components = canonical
        if let baseURL, !baseURL.isEmpty {
            guard let base = URLComponents(string: baseURL), let scheme = base.scheme, ["http", "https"].contains(scheme),
                  base.host != nil else {
                throw PruneKitError.invalidParameter(name: "baseURL", expected: "an absolute http(s) URL", found: "'\(baseURL)'")
            }
            components.scheme = scheme
            components.host = base.host
            components.port = base.port
            let prefix = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
            components.path = prefix + canonical.path
        }
        guard let url = components.url else {
            throw PruneKitError.invalidParameter(name: "baseURL", expected: "a base to which \(canonicalURL)'s file name can be appended", found: "'\(baseURL ?? "")'")
        }
        return url
    }
}
