import PruneKitZlib
import PruneKitCore

/// Streaming gzip decompression (RFC 1952) over zlib; the only Swift file that imports `PruneKitZlib`.
///
/// Feed compressed bytes in any chunking with `consume(_:sink:)`; each decompressed piece is handed to
/// `sink` (it is only valid during the call). Concatenated members (`cat a.gz b.gz`) decode as one stream.
/// `finish()` throws when the input stopped inside a member, so a truncated download is never taken for
/// a complete file. Errors are `PruneKitError.malformedFile` naming `path`.
///
/// ```swift
/// let inflater = try GzipInflater(path: "train.bin.gz")
/// try inflater.consume(compressedChunk) { piece in output.append(contentsOf: piece) }
/// try inflater.finish()
/// ```
public final class GzipInflater {
    /// File the bytes come from, used in error messages.
    public let path: String
    private var stream = z_stream()
    private let scratch: UnsafeMutablePointer<UInt8>
    private let scratchSize = 1 << 18
    private var memberFinished = false
    private var started = false
    private var consumedBytes = 0
    private var producedBytes = 0
    private var currentChunkSize = 0

    /// A decoder that accepts gzip framing only (windowBits 16 + MAX_WBITS).
    public init(path: String) throws {
        self.path = path
        scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchSize)
        let status = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            scratch.deallocate()
            throw PruneKitError.libraryFailure(library: "zlib", message: "inflateInit2 failed with status \(status) for \(path)")
        }
    }

    deinit {
        inflateEnd(&stream)
        scratch.deallocate()
    }

    /// Decompresses `input` and passes every produced piece to `sink`, in order.
    public func consume(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var offset = 0
        while offset < input.count {
            // avail_in is 32-bit: feed at most 1 GiB at a time.
            let chunk = min(input.count - offset, 1 << 30)
            stream.next_in = UnsafeMutablePointer(mutating: (base + offset).assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(chunk)
            currentChunkSize = chunk
            try drain(sink)
            offset += chunk
            consumedBytes += chunk
        }
    }

    /// Runs inflate until the current input is used up.
    private func drain(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            if memberFinished {
                if stream.avail_in == 0 { return }
                inflateReset(&stream)   // another gzip member follows
                memberFinished = false
            }
            started = true
            stream.next_out = scratch
            stream.avail_out = UInt32(scratchSize)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = scratchSize - Int(stream.avail_out)
            if produced > 0 {
                producedBytes += produced
                try sink(UnsafeRawBufferPointer(start: scratch, count: produced))
            }
            switch status {
            case Z_STREAM_END:
                memberFinished = true
            case Z_OK:
                if stream.avail_in == 0 && stream.avail_out > 0 { return }
            case Z_BUF_ERROR:
                return   // no progress possible without more input
            default:
                throw corruptError(status: status)
            }
        }
    }

    /// Throws unless the input ended exactly at the end of a gzip member.
    public func finish() throws {
        guard started && memberFinished else {
            throw PruneKitError.malformedFile(
                path: path, expected: "a complete gzip stream",
                found: "the stream ends early after \(consumedBytes) compressed bytes (\(producedBytes) decompressed)")
        }
    }

    private func corruptError(status: Int32) -> PruneKitError {
        let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
        return .malformedFile(path: path, expected: "valid gzip data",
                              found: "zlib error (\(reason)) near compressed byte \(consumedBytes + currentChunkSize - Int(stream.avail_in))")
    }

    /// Decompresses a whole gzip file held in memory.
    ///
    /// The output is reserved from the trailer's ISIZE field (size mod 2^32), capped at the deflate maximum
    /// ratio so a corrupt trailer cannot request gigabytes.
    public static func decompress(_ compressed: UnsafeRawBufferPointer, path: String) throws -> [UInt8] {
        let inflater = try GzipInflater(path: path)
        var output: [UInt8] = []
        if compressed.count >= 18 {
            let trailer = compressed.count - 4
            let isize = (0..<4).reduce(0) { $0 | Int(compressed[trailer + $1]) << (8 * $1) }
            output.reserveCapacity(min(isize, compressed.count * 1_032))
        }
        try inflater.consume(compressed) { piece in output.append(contentsOf: piece.bindMemory(to: UInt8.self)) }
        try inflater.finish()
        return output
    }
}
