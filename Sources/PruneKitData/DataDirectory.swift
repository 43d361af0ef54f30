import Foundation
import PruneKitCore

/// The data root: `--data-dir` if given, else the `PRUNEKIT_DATA` environment variable, else `./data`.
///
/// The root holds one subfolder per dataset (`mnist/`, `cifar-10-batches-bin/`, ...) or is itself a
/// dataset folder; `DatasetLocator` decides which. `origin` says which rule picked the path, for messages.
///
/// ```swift
/// let root = DataDirectory.resolve(explicit: options.dataDirectory)
/// print("data: \(root.path) (from \(root.origin))")
/// ```
public struct DataDirectory: Equatable, Sendable {
    /// Where the path came from.
    public enum Origin: String, Sendable {
        /// The `--data-dir` flag.
        case commandLine = "--data-dir"
        /// The `PRUNEKIT_DATA` environment variable.
        case environment = "PRUNEKIT_DATA"
        /// The default `./data`.
        case defaultFolder = "default ./data"
    }

    /// Name of the environment variable consulted when no explicit path is given.
    public static let environmentVariable = "PRUNEKIT_DATA"
    /// Folder used when neither flag nor environment variable is set.
    public static let defaultPath = "./data"

    /// The root folder path, as given (relative paths are relative to the working directory).
    public let path: String
    /// Which rule chose `path`.
    public let origin: Origin

    /// A root with a known origin.
    public init(path: String, origin: Origin) {
        self.path = path
        self.origin = origin
    }

    /// Applies the lookup order; empty strings count as unset.
    public static func resolve(explicit: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> DataDirectory {
        if let explicit, !explicit.isEmpty { return DataDirectory(path: explicit, origin: .commandLine) }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return DataDirectory(path: fromEnvironment, origin: .environment)
        }
        return DataDirectory(path: defaultPath, origin: .defaultFolder)
    }
}
