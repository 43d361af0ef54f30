import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// UstarExtractor on archives written by Python's tarfile (GNU, PAX and ustar formats), fed through
/// GzipInflater in odd chunk sizes; plus corrupt, truncated and unsafe archives.
final class DataUstarTests: XCTestCase {
    private static let longName = "cifar-10-batches-bin/" + String(repeating: "d", count: 80) + "/" + String(repeating: "y", count: 60) + ".bin"

    /// Writes `out` as a tar (gzip-compressed when it ends in .gz) in the given format.
    private static let makeArchive = """
    import io, sys, tarfile
    out, fmt, long_name = sys.argv[1], sys.argv[2], sys.argv[3]
    fmt = {'gnu': tarfile.GNU_FORMAT, 'pax': tarfile.PAX_FORMAT, 'ustar': tarfile.USTAR_FORMAT}[fmt]
    with tarfile.open(out, 'w:gz' if out.endswith('.gz') else 'w', format=fmt) as t:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        d = tarfile.TarInfo('cifar-10-batches-bin')
        d.type = tarfile.DIRTYPE
        t.addfile(d)
        add('cifar-10-batches-bin/data_batch_1.bin', bytes((i * 7) % 256 for i in range(3073 * 3)))
        add('cifar-10-batches-bin/batches.meta.txt', b'airplane\\nautomobile\\n')
        add('cifar-10-batches-bin/readme.html', b'<html></html>')
        add(long_name, b'long name')
        add('cifar-10-batches-bin/empty.bin', b'')
    """

    private func extract(_ archive: String, into destination: String, chunk: Int,
                         accept: @escaping (String) -> Bool = { !$0.hasSuffix(".html") }) throws -> UstarExtractor {
        let bytes = try DataTestSupport.read(archive)
        let extractor = UstarExtractor(archivePath: archive, destination: destination, shouldExtract: accept)
        let inflater = try GzipInflater(path: archive)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            try bytes[start..<end].withUnsafeBytes { piece in try inflater.consume(piece) { try extractor.consume($0) } }
            start = end
        }
        try inflater.finish()
        try extractor.finish()
        return extractor
    }

    func testExtractsSelectedMembersInEveryFormat() throws {
        for format in ["gnu", "pax", "ustar"] {
            for chunk in [333, 1 << 20] {
                let folder = try makeDataTestFolder()
                let archive = folder + "/archive.tar.gz"
                try DataTestSupport.runPython(Self.makeArchive, [archive, format, Self.longName])
                let extractor = try extract(archive, into: folder + "/out", chunk: chunk)
                XCTAssertEqual(extractor.extractedFiles, ["cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/batches.meta.txt",
                                                          Self.longName, "cifar-10-batches-bin/empty.bin"], "\(format), chunk \(chunk)")
                let batch = try DataTestSupport.read(folder + "/out/cifar-10-batches-bin/data_batch_1.bin")
                XCTAssertEqual(batch, (0..<3073 * 3).map { UInt8(($0 * 7) % 256) })
                XCTAssertEqual(try DataTestSupport.read(folder + "/out/" + Self.longName), Array("long name".utf8))
                XCTAssertEqual(try DataTestSupport.read(folder + "/out/cifar-10-batches-bin/empty.bin"), [])
                XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out/cifar-10-batches-bin/readme.html"))
                let leftovers = try FileManager.default.subpathsOfDirectory(atPath: folder + "/out").filter { $0.hasSuffix(".part") }
                XCTAssertEqual(leftovers, [])
            }
        }
    }

    func testCorruptHeaderChecksumIsMalformed() throws {
        let folder = try makeDataTestFolder()
        let archive = folder + "/plain.tar"
        try DataTestSupport.runPython(Self.makeArchive, [archive, "ustar", Self.longName])
        var bytes = try DataTestSupport.read(archive)
        bytes[512 + 3] ^= 0x01   // the name of the second header (the first is the directory)
        let extractor = UstarExtractor(archivePath: archive, destination: folder + "/out") { _ in true }
        DataTestSupport.assertError(.malformedFile, path: archive, mentions: ["checksum"]) {
            try bytes.withUnsafeBytes { try extractor.consume($0) }
        }
    }

    func testTruncatedArchiveIsMalformed() throws {
        let folder = try makeDataTestFolder()
        let archive = folder + "/plain.tar"
        try DataTestSupport.runPython(Self.makeArchive, [archive, "gnu", Self.longName])
        let bytes = try DataTestSupport.read(archive)
        let extractor = UstarExtractor(archivePath: archive, destination: folder + "/out") { _ in true }
        try bytes.prefix(1024 + 5000).withUnsafeBytes { try extractor.consume($0) }   // inside data_batch_1.bin
        DataTestSupport.assertError(.malformedFile, path: archive, mentions: ["ends inside a member"]) { try extractor.finish() }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out/cifar-10-batches-bin/data_batch_1.bin"),
                       "an incomplete member never appears under its final name")
    }

    func testUnsafeMemberNameIsRefused() throws {
        let folder = try makeDataTestFolder()
        let archive = folder + "/evil.tar"
        try DataTestSupport.runPython(Self.makeArchive, [archive, "gnu", "../evil.bin"])
        let extractor = UstarExtractor(archivePath: archive, destination: folder + "/out") { _ in true }
        DataTestSupport.assertError(.malformedFile, path: archive, mentions: ["unsafe member name '../evil.bin'"]) {
            try DataTestSupport.read(archive).withUnsafeBytes { try extractor.consume($0) }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/evil.bin"))
    }
}
