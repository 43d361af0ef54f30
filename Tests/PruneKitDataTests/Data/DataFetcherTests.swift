import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// DatasetFetcher against a local Python HTTP server (127.0.0.1 only) serving copies of the real MNIST files
/// laid out like the canonical URLs (`/mnist/<file>`): verified download, MD5 rejection, Range resume,
/// restart without Range support, HTTP errors, and the mirror URL rule.
final class DataFetcherTests: XCTestCase {
    /// Thread-safe event log (events arrive on the download queue).
    private final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [FetchEvent] = []
        func append(_ event: FetchEvent) { lock.lock(); stored.append(event); lock.unlock() }
        var events: [FetchEvent] { lock.lock(); defer { lock.unlock() }; return stored }
    }

    /// Copies the published MNIST .gz files into `<temp>/served/mnist/`; returns the served root.
    private func makeMirror() throws -> String {
        let mnist = try DataTestSupport.locateReal(.mnist)
        let served = try makeDataTestFolder() + "/served"
        try FileManager.default.createDirectory(atPath: served + "/mnist", withIntermediateDirectories: true)
        for file in DatasetKind.mnist.distribution.files {
            let source = mnist.folder + "/" + file.name
            guard FileManager.default.fileExists(atPath: source) else { throw XCTSkip("\(source) missing (decompressed copy?)") }
            try FileManager.default.copyItem(atPath: source, toPath: served + "/mnist/" + file.name)
        }
        return served
    }

    private func file(named name: String) -> RemoteFile {
        DatasetKind.mnist.distribution.files.first { $0.name == name }!
    }

    func testFetchesMNISTWithVerifiedMD5sAndSkipsWhenPresent() throws {
        let server = try LocalHTTPServer(directory: try makeMirror())
        defer { server.stop() }
        let root = try makeDataTestFolder() + "/data"
        let log = EventLog()
        let fetcher = DatasetFetcher(baseURL: server.baseURL, onEvent: log.append)
        let located = try fetcher.fetch(.mnist, into: root)
        XCTAssertEqual(located.folder, root + "/mnist")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: located.folder).sorted(),
                       DatasetKind.mnist.distribution.files.map(\.name).sorted(), "no .part file remains")
        for file in DatasetKind.mnist.distribution.files {
            XCTAssertEqual(try MD5.hexDigest(ofFileAt: located.folder + "/" + file.name), file.md5)
            XCTAssertTrue(log.events.contains(.verified(file: file.name, md5: file.md5)))
        }
        XCTAssertEqual(try Dataset.load(.test, from: located).count, 10_000)
        // A second run with the server gone downloads nothing.
        server.stop()
        let again = EventLog()
        try DatasetFetcher(baseURL: server.baseURL, onEvent: again.append).fetch(.mnist, into: root)
        XCTAssertEqual(again.events.count, 4)
        XCTAssertTrue(again.events.allSatisfy { if case .alreadyPresent = $0 { return true } else { return false } })
    }

    func testCorruptedDownloadIsRejectedAndNothingKeptUnderFinalName() throws {
        let served = try makeMirror()
        let corrupted = served + "/mnist/train-labels-idx1-ubyte.gz"
        var bytes = try DataTestSupport.read(corrupted)
        bytes[bytes.count / 2] ^= 0x01
        try DataTestSupport.write(bytes, to: corrupted)
        let server = try LocalHTTPServer(directory: served)
        defer { server.stop() }
        let root = try makeDataTestFolder()
        let fetcher = DatasetFetcher(baseURL: server.baseURL)
        DataTestSupport.assertError(.malformedFile, path: "train-labels-idx1-ubyte.gz",
                                    mentions: ["MD5 d53e105ee54ea40749a09fcbcd1e9432", "MD5 \(MD5.hexDigest(of: bytes))"]) {
            try fetcher.fetch(.mnist, into: root)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/mnist/train-labels-idx1-ubyte.gz"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/mnist/train-labels-idx1-ubyte.gz.part"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/mnist/train-images-idx3-ubyte.gz"), "earlier verified file kept")
    }

    func testResumesPartFileWithRangeRequest() throws {
        // The served copy's first 1000 bytes are garbage and the part file holds the true first 1000 bytes, so
        // only a download that really continues at byte 1000 ends with the published MD5.
        let served = try makeMirror()
        let path = served + "/mnist/t10k-images-idx3-ubyte.gz"
        let original = try DataTestSupport.read(path)
        try DataTestSupport.write([UInt8](repeating: 0xAB, count: 1000) + original.dropFirst(1000), to: path)
        let server = try LocalHTTPServer(directory: served, rangeRequests: true)
        defer { server.stop() }
        let folder = try makeDataTestFolder()
        try DataTestSupport.write(Array(original.prefix(1000)), to: folder + "/t10k-images-idx3-ubyte.gz.part")
        let log = EventLog()
        let result = try DatasetFetcher(baseURL: server.baseURL, onEvent: log.append)
            .fetchFile(file(named: "t10k-images-idx3-ubyte.gz"), into: folder)
        XCTAssertEqual(try MD5.hexDigest(ofFileAt: result), "9fb629c4189551a2d022fa330f9573f3")
        XCTAssertTrue(log.events.contains(.resumed(file: "t10k-images-idx3-ubyte.gz", fromByte: 1000)), "\(log.events)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: result + ".part"))
    }

    func testRestartsWhenServerIgnoresRange() throws {
        let server = try LocalHTTPServer(directory: try makeMirror())   // python -m http.server: no Range support
        defer { server.stop() }
        let folder = try makeDataTestFolder()
        try DataTestSupport.write([UInt8](repeating: 0xCD, count: 700), to: folder + "/t10k-labels-idx1-ubyte.gz.part")
        let log = EventLog()
        let result = try DatasetFetcher(baseURL: server.baseURL, onEvent: log.append)
            .fetchFile(file(named: "t10k-labels-idx1-ubyte.gz"), into: folder)
        XCTAssertEqual(try MD5.hexDigest(ofFileAt: result), "ec29112dd5afa0611ce80d1b7f02629c")
        XCTAssertFalse(log.events.contains { if case .resumed = $0 { return true } else { return false } })
    }

    func testMissingRemoteFileIsHTTPError() throws {
        let served = try makeDataTestFolder()
        let server = try LocalHTTPServer(directory: served)
        defer { server.stop() }
        let folder = try makeDataTestFolder()
        DataTestSupport.assertError(.fileError, path: "/mnist/t10k-labels-idx1-ubyte.gz", mentions: ["HTTP status 404"]) {
            _ = try DatasetFetcher(baseURL: server.baseURL).fetchFile(self.file(named: "t10k-labels-idx1-ubyte.gz"), into: folder)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [], "no file and no .part")
    }

    func testBaseURLReplacesOriginAndKeepsPath() throws {
        let file = file(named: "t10k-labels-idx1-ubyte.gz")
        XCTAssertEqual(try file.url(baseURL: nil).absoluteString, "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz")
        XCTAssertEqual(try file.url(baseURL: "http://127.0.0.1:8000").absoluteString, "http://127.0.0.1:8000/mnist/t10k-labels-idx1-ubyte.gz")
        XCTAssertEqual(try file.url(baseURL: "http://mirror.example/datasets/").absoluteString,
                       "http://mirror.example/datasets/mnist/t10k-labels-idx1-ubyte.gz")
        let cifar = DatasetKind.cifar10.distribution.files[0]
        XCTAssertEqual(try cifar.url(baseURL: "http://127.0.0.1:9").absoluteString, "http://127.0.0.1:9/~kriz/cifar-10-binary.tar.gz")
        assertThrowsPruneKitError(["parameter 'baseURL'", "an absolute http(s) URL", "'ftp://x'"]) { _ = try file.url(baseURL: "ftp://x") }
    }
}
