import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PruneKitCore

/// Downloads one URL into a `.part` file with URLSession, synchronously (the caller blocks on a semaphore
/// while a private serial queue receives the data).
///
/// When the part file already has n bytes, the request carries `Range: bytes=n-`. A `206 Partial Content`
/// whose `Content-Range` starts at n is appended; a `200 OK` (server without range support) restarts the
/// file from byte 0; a `416` (range not satisfiable, e.g. a stale part file) deletes the part file and
/// retries once from scratch. A response shorter than its `Content-Length` is an error that keeps the part
/// file, so the next run resumes it.
///
/// ```swift
/// let resumedAt = try HTTPDownloader.download(from: url, to: "t10k-labels-idx1-ubyte.gz.part") { got, total in }
/// ```
final class HTTPDownloader: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let url: URL
    private let partPath: String
    private let offset: Int64
    private let progress: (Int64, Int64?) -> Void
    private let done = DispatchSemaphore(value: 0)
    // Written on the delegate queue, read by `run` after `done` is signalled.
    private var handle: FileHandle?
    private var received: Int64 = 0
    private var expected: Int64?
    private var lastReport: Int64 = 0
    private var failure: Error?
    private var rangeRejected = false
    private var resumedFrom: Int64 = 0

    private init(url: URL, partPath: String, offset: Int64, progress: @escaping (Int64, Int64?) -> Void) {
        self.url = url
        self.partPath = partPath
        self.offset = offset
        self.progress = progress
    }

    /// Downloads `url` into `partPath`, resuming it if it exists; returns the byte offset the transfer
    /// resumed from (0 when it started over). Throws `.fileError` naming the URL or the part file.
    static func download(from url: URL, to partPath: String, timeout: TimeInterval = 60,
                         progress: @escaping (Int64, Int64?) -> Void) throws -> Int64 {
        let existing = (try? FileManager.default.attributesOfItem(atPath: partPath)[.size] as? NSNumber)?.int64Value ?? 0
        let first = HTTPDownloader(url: url, partPath: partPath, offset: existing, progress: progress)
        if try first.run(timeout: timeout) { return first.resumedFrom }
        try? FileManager.default.removeItem(atPath: partPath)
        let second = HTTPDownloader(url: url, partPath: partPath, offset: 0, progress: progress)
        guard try second.run(timeout: timeout) else {
            throw PruneKitError.fileError(path: url.absoluteString, message: "server refused a download without a range (HTTP 416)")
        }
        return 0
    }

    /// Performs the request; false when the server rejected the range (the caller retries from scratch).
    private func run(timeout: TimeInterval) throws -> Bool {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: queue)
        session.dataTask(with: request).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        try? handle?.close()
        if let failure { throw failure }
        if rangeRejected { return false }
        if let expected, received != expected {
            throw PruneKitError.fileError(path: url.absoluteString,
                message: "connection closed after \(received) of \(expected) bytes; run again to resume \(partPath)")
        }
        progress(received, expected)
        return true
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        do {
            try accept(response)
            completionHandler(rangeRejected ? .cancel : .allow)
        } catch {
            failure = error
            completionHandler(.cancel)
        }
    }

    /// Decides from the status whether to append, start over or give up, and opens the part file.
    private func accept(_ response: URLResponse) throws {
        guard let http = response as? HTTPURLResponse else {
            throw PruneKitError.fileError(path: url.absoluteString, message: "not an HTTP response")
        }
        let length = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        switch http.statusCode {
        case 206 where offset > 0 && contentRangeStart(http) == offset:
            handle = try openPart(truncate: false)
            resumedFrom = offset
            received = offset
            expected = length.map { $0 + offset }
        case 200:
            handle = try openPart(truncate: true)
            expected = length
        case 416 where offset > 0:
            rangeRejected = true
        default:
            throw PruneKitError.fileError(path: url.absoluteString, message: "HTTP status \(http.statusCode)")
        }
    }

    private func openPart(truncate: Bool) throws -> FileHandle {
        let exists = FileManager.default.fileExists(atPath: partPath)
        if truncate || !exists {
            guard FileManager.default.createFile(atPath: partPath, contents: nil) else {
                throw PruneKitError.fileError(path: partPath, message: "cannot create file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: partPath) else {
            throw PruneKitError.fileError(path: partPath, message: "cannot open for writing")
        }
        if !truncate { _ = try? handle.seekToEnd() }
        return handle
    }

    /// First byte of a `Content-Range: bytes first-last/total` header, if present.
    private func contentRangeStart(_ response: HTTPURLResponse) -> Int64? {
        let header = response.allHeaderFields.first { ($0.key as? String)?.lowercased() == "content-range" }?.value as? String
        guard let header, let range = header.split(separator: " ").last,
              let first = range.split(separator: "-").first else { return nil }
        return Int64(first)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, let handle else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = PruneKitError.fileError(path: partPath, message: "write failed: \(error.localizedDescription)")
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        if received - lastReport >= 1 << 20 {
            lastReport = received
            progress(received, expected)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error, failure == nil, !rangeRejected {
            failure = PruneKitError.fileError(path: url.absoluteString, message: "download failed: \(error.localizedDescription)")
        }
        done.signal()
    }
}
