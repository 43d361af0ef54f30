import Foundation
import PruneKitCore

/// Whole-file reads for dataset files, decompressing `.gz` on the fly.
///
/// A path ending in `.gz` must hold gzip data; any other path is read as raw bytes. Dataset files are
/// looked up under their official name first, then with `.gz` appended, so `train.bin` and
/// `train.bin.gz` are interchangeable.
///
/// ```swift
/// let bytes = try DataFile.readBytes(at: "mnist/train-labels-idx1-ubyte.gz")   // decompressed
/// let path = DataFile.existingPath(folder: "mnist", name: "train-labels-idx1-ubyte")
/// ```
public enum DataFile {
    /// The (decompressed) content of the file at `path`.
    ///
    /// Throws `.fileError` when the file is missing or unreadable, `.malformedFile` for corrupt gzip data.
    public static func readBytes(at path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PruneKitError.fileError(path: path, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw PruneKitError.fileError(path: path, message: "is a folder, expected a file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw PruneKitError.fileError(path: path, message: "cannot read: \(error.localizedDescription)")
        }
        if path.hasSuffix(".gz") {
            return try data.withUnsafeBytes { try GzipInflater.decompress($0, path: path) }
        }
        return [UInt8](data)
    }

    /// `folder/name` if that file exists, else `folder/name.gz` if that exists, else nil.
    public static func existingPath(folder: String, name: String) -> String? {
        for candidate in [name, name + ".gz"] {
            let path = joined(folder, candidate)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return path
            }
        }
        return nil
    }

    /// Whether `path` names an existing folder.
    public static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// `folder + "/" + name` without doubling a trailing slash.
    public static func joined(_ folder: String, _ name: String) -> String {
        if folder.isEmpty { return name }
        return folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
