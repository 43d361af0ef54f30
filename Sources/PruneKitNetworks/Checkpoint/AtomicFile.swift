import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PruneKitCore

/// Replaces a file's content atomically: a reader, or the file system after a crash or power loss, sees
/// either the complete old file or the complete new one under the final name, never a mix or a prefix.
///
/// Steps (the classic POSIX recipe): create `.<name>.tmp-<pid>-<random>` in the same directory with
/// `O_EXCL`, write everything, `fsync` it, `rename` it over the final path (atomic within one file
/// system), then `fsync` the directory so the rename itself is durable. On any failure the temporary file
/// is removed and `PruneKitError.fileError` names the final path and the failing step. A process killed
/// with SIGKILL can leave a stale temporary file behind (never a corrupt final file);
/// `removeStaleTemporaryFiles(for:)` deletes those.
///
/// An existing file's permission bits are kept; a symbolic link at `path` is replaced by a regular file.
///
/// ```swift
/// try AtomicFile.write(Data("hello".utf8), to: "runs/notes.txt")
/// ```
public enum AtomicFile {
    /// Writes `data` to `path`, replacing any existing file atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(data, to: path, beforeRename: { _ in })
    }

    /// The implementation; `beforeRename` runs after the temporary file is complete and synced (tests
    /// use it to observe that state and to simulate a failure at the last moment).
    static func write(_ data: Data, to path: String, beforeRename: (String) throws -> Void) throws {
        let temporaryPath = temporaryPath(for: path)
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure(path, "cannot create temporary file \(temporaryPath)") }
        var isOpen = true
        var isRenamed = false
        defer {
            if isOpen { close(descriptor) }
            if !isRenamed { unlink(temporaryPath) }
        }
        copyPermissions(from: path, to: descriptor)
        try writeAll(data, to: descriptor, path: path)
        guard fsync(descriptor) == 0 else { throw failure(path, "fsync of \(temporaryPath) failed") }
        isOpen = false
        guard close(descriptor) == 0 else { throw failure(path, "close of \(temporaryPath) failed") }
        try beforeRename(temporaryPath)
        guard rename(temporaryPath, path) == 0 else { throw failure(path, "cannot rename \(temporaryPath) over it") }
        isRenamed = true
        try syncDirectory(of: path)
    }

    /// `<directory>/.<name>.tmp-<pid>-<16 random hex digits>`, in the final file's directory so that
    /// `rename` never crosses file systems.
    static func temporaryPath(for path: String) -> String {
        let (directory, name) = split(path)
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        let unique = ".\(name).tmp-\(getpid())-\(String(repeating: "0", count: 16 - random.count))\(random)"
        return join(directory, unique)
    }

    /// Deletes temporary files that writes to `path` left behind when their process was killed:
    /// `.<name>.tmp-<pid>-<hex>` files whose process no longer exists. Files of running processes
    /// (including this one) are kept. Returns the paths removed.
    ///
    /// ```swift
    /// AtomicFile.removeStaleTemporaryFiles(for: "runs/resnet56/last.safetensors")
    /// ```
    @discardableResult
    public static func removeStaleTemporaryFiles(for path: String) -> [String] {
        let (directory, name) = split(path)
        let prefix = ".\(name).tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory ?? ".") else { return [] }
        var removed: [String] = []
        for candidate in names.sorted() where candidate.hasPrefix(prefix) {
            let fields = candidate.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 2, fields[1].count == 16, let processIdentifier = pid_t(fields[0]),
                  processIdentifier > 0, processIdentifier != getpid(),
                  kill(processIdentifier, 0) != 0, errno == ESRCH else { continue }
            let stalePath = join(directory, candidate)
            if unlink(stalePath) == 0 { removed.append(stalePath) }
        }
        return removed
    }

    private static func join(_ directory: String?, _ name: String) -> String {
        guard let directory else { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Splits at the last `/`: (`nil`, name) for a bare name, ("/", name) for a file in the root.
    private static func split(_ path: String) -> (directory: String?, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (nil, path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Keeps the old file's mode bits (best effort: a new file gets 0666 minus the umask).
    private static func copyPermissions(from path: String, to descriptor: Int32) {
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & 0o170000 == 0o100000  /* S_IFMT, S_IFREG */ {
            _ = fchmod(descriptor, status.st_mode & 0o7777)
        }
    }

    /// `write(2)` until every byte is out, retrying on EINTR and short writes.
    private static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var written = 0
            while written < bytes.count {
                let result = posixWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw failure(path, "write failed after \(written) of \(bytes.count) bytes") }
                written += result
            }
        }
    }

    /// Makes the rename durable. File systems that cannot sync a directory (EINVAL) are tolerated.
    private static func syncDirectory(of path: String) throws {
        let directory = split(path).directory ?? "."
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, "replaced, but cannot open directory \(directory) to sync it") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 || errno == EINVAL else {
            throw failure(path, "replaced, but fsync of directory \(directory) failed")
        }
    }

    /// A `fileError` for `path` ending in the current `errno` text.
    private static func failure(_ path: String, _ step: String) -> PruneKitError {
        let reason = String(cString: strerror(errno))
        return .fileError(path: path, message: "atomic write: \(step): \(reason)")
    }
}

/// `write(2)`, named apart from `AtomicFile.write`.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
