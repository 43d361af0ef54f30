import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// GzipInflater and DataFile: stored-block gzip files written by the test's own encoder, corrupt and
/// truncated streams, concatenated members and arbitrary chunking.
final class DataGzipTests: XCTestCase {
    private let payload: [UInt8] = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }

    func testDecompressesStoredBlocksAcrossSeveralBlocks() throws {
        let compressed = DataTestSupport.gzip(payload)   // 3 stored blocks
        let output = try compressed.withUnsafeBytes { try GzipInflater.decompress($0, path: "memory.gz") }
        XCTAssertEqual(output.count, payload.count)
        XCTAssertEqual(output, payload)
    }

    func testChunkedFeedingGivesTheSameBytes() throws {
        let compressed = DataTestSupport.gzip(payload)
        for chunkSize in [1, 7, 4096, 70_000] {
            let inflater = try GzipInflater(path: "memory.gz")
            var output: [UInt8] = []
            var start = 0
            while start < compressed.count {
                let end = min(start + chunkSize, compressed.count)
                try compressed[start..<end].withUnsafeBytes { chunk in
                    try inflater.consume(chunk) { output.append(contentsOf: $0) }
                }
                start = end
            }
            try inflater.finish()
            XCTAssertEqual(output, payload, "chunk size \(chunkSize)")
        }
    }

    func testConcatenatedMembersDecodeAsOneStream() throws {
        let first: [UInt8] = Array("hello ".utf8)
        let second: [UInt8] = Array("world".utf8)
        let compressed = DataTestSupport.gzip(first) + DataTestSupport.gzip(second)
        let output = try compressed.withUnsafeBytes { try GzipInflater.decompress($0, path: "two.gz") }
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "hello world")
    }

    func testCorruptChecksumIsMalformedFileNamingThePath() throws {
        var compressed = DataTestSupport.gzip(payload)
        compressed[1000] ^= 0xFF   // a data byte: the CRC-32 check fails
        DataTestSupport.assertError(.malformedFile, path: "corrupt.gz", mentions: ["gzip", "zlib error"]) {
            _ = try compressed.withUnsafeBytes { try GzipInflater.decompress($0, path: "corrupt.gz") }
        }
    }

    func testBadMagicIsMalformedFile() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/not-gzip.bin.gz"
        try DataTestSupport.write(Array("plain text, not gzip".utf8), to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["valid gzip data"]) {
            _ = try DataFile.readBytes(at: path)
        }
    }

    func testTruncatedStreamIsMalformedFile() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/truncated.bin.gz"
        let compressed = DataTestSupport.gzip(payload)
        try DataTestSupport.write(Array(compressed.prefix(compressed.count - 100)), to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["ends early"]) {
            _ = try DataFile.readBytes(at: path)
        }
        try DataTestSupport.write([], to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["ends early"]) {
            _ = try DataFile.readBytes(at: path)
        }
    }

    func testPlainFilesAreReadUnchangedAndGzipVariantIsFound() throws {
        let folder = try makeDataTestFolder()
        try DataTestSupport.write(payload, to: folder + "/a.bin")
        try DataTestSupport.write(DataTestSupport.gzip(payload), to: folder + "/b.bin.gz")
        XCTAssertEqual(try DataFile.readBytes(at: folder + "/a.bin"), payload)
        XCTAssertEqual(DataFile.existingPath(folder: folder, name: "a.bin"), folder + "/a.bin")
        XCTAssertEqual(DataFile.existingPath(folder: folder, name: "b.bin"), folder + "/b.bin.gz")
        XCTAssertNil(DataFile.existingPath(folder: folder, name: "c.bin"))
        XCTAssertEqual(try DataFile.readBytes(at: folder + "/b.bin.gz"), payload)
        DataTestSupport.assertError(.fileError, path: folder + "/c.bin", mentions: ["no such file"]) {
            _ = try DataFile.readBytes(at: folder + "/c.bin")
        }
    }
}
