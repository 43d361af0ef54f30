import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PruneKitCore

/// Read-only memory mapping of a whole file for the duration of one closure.
///
/// Used instead of `Data(contentsOf:options: .alwaysMapped)` so that failures carry the POSIX reason
/// ("No such file or directory", "Is a directory") rather than a bridged Cocoa error code. Pages are
/// loaded on demand, so reading a checkpoint costs one copy of its tensors, not two.
///
/// Hazard: if another process truncates the file while it is mapped, touching the lost pages raises
/// SIGBUS. Files written through `AtomicFile` are replaced by rename, never truncated in place, so
/// a concurrent save cannot cause this.
///
/// ```swift
/// let size = try MappedFile.withBytes(path: "model.safetensors") { $0.count }
/// ```
enum MappedFile {
    /// Maps `path` and passes its bytes to `body` (an empty buffer for an empty file); unmaps afterwards.
    /// Throws `PruneKitError.fileError` naming `path` when it cannot be opened, is not a regular file or
    /// cannot be mapped.
    static func withBytes<Result>(path: String, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, "cannot open") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(path, "cannot stat") }
        guard status.st_mode & 0o170000 == 0o100000 else {  // S_IFMT, S_IFREG
            throw PruneKitError.fileError(path: path, message: "cannot read: not a regular file")
        }
        let count = Int(status.st_size)
        guard count > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let address = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw failure(path, "cannot map \(count) bytes")
        }
        defer { munmap(address, count) }
        return try body(UnsafeRawBufferPointer(start: address, count: count))
    }

    /// A `fileError` for `path` ending in the current `errno` text.
    private static func failure(_ path: String, _ step: String) -> PruneKitError {
        .fileError(path: path, message: "\(step): \(String(cString: strerror(errno)))")
    }
}
