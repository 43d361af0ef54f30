import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// Helpers shared by the Data tests: temporary folders, synthetic IDX/CIFAR/gzip files, the real-data root
/// and an assertion that a `PruneKitError` has the right case and names the right path.
enum DataTestSupport {
    /// Which `PruneKitError` case a test expects.
    enum ErrorCase { case malformedFile, fileError, invalidArgument, usage }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    // MARK: - Synthetic files

    static func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }

    /// IDX3 images: header (magic, count, rows, columns) + pixels.
    static func idxImages(count: Int, rows: Int, columns: Int, pixels: [UInt8]? = nil, magic: UInt32 = 2051) -> [UInt8] {
        let body = pixels ?? (0..<count * rows * columns).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        return bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(columns)) + body
    }

    /// IDX1 labels: header (magic, count) + labels.
    static func idxLabels(_ labels: [UInt8], magic: UInt32 = 2049) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(labels.count)) + labels
    }

    /// CIFAR records: label byte(s) then 3072 pixel bytes whose value encodes (record, position).
    static func cifarRecords(labels: [UInt8], coarse: [UInt8]? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        for (record, label) in labels.enumerated() {
            if let coarse { bytes.append(coarse[record]) }
            bytes.append(label)
            bytes += (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ record &* 101) }
        }
        return bytes
    }

    /// A gzip file made of stored (uncompressed) deflate blocks, written independently of zlib (RFC 1951 §3.2.4,
    /// RFC 1952): header, blocks of at most 65535 bytes, CRC-32 and size trailers.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let length = min(65_535, bytes.count - offset)
            let isFinal = offset + length == bytes.count
            out.append(isFinal ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += bytes[offset..<offset + length]
            offset += length
        } while offset < bytes.count
        let crc = crc32(bytes)
        let size = UInt32(truncatingIfNeeded: bytes.count)
        return out + (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) } + (0..<4).map { UInt8(truncatingIfNeeded: size >> (8 * $0)) }
    }

    /// CRC-32 (IEEE, reflected, polynomial 0xEDB88320), bit by bit.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Runs `python3 -c script args...` and waits; skips the test when python3 is unavailable.
    static func runPython(_ script: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        do { try process.run() } catch { throw XCTSkip("cannot start python3: \(error)") }
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw XCTSkip("python3 not found") }
        XCTAssertEqual(process.terminationStatus, 0, "python3 helper failed")
    }

    // MARK: - Real data

    /// The data root for real-file tests: `PRUNEKIT_DATA` (then missing files fail the test) or a non-empty
    /// `./data` (then a missing dataset skips); otherwise the test is skipped.
    static func realDataRoot() throws -> (path: String, required: Bool) {
        if let root = ProcessInfo.processInfo.environment["PRUNEKIT_DATA"], !root.isEmpty { return (root, true) }
        let local = DataDirectory.defaultPath
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: local), !contents.isEmpty {
            return (local, false)
        }
        throw XCTSkip("no data found: set PRUNEKIT_DATA")
    }

    /// `kind` in the real data root (in `subfolder` exactly when given); throws (fails) or skips as above.
    static func locateReal(_ kind: DatasetKind, subfolder: String? = nil) throws -> LocatedDataset {
        let (root, required) = try realDataRoot()
        do {
            guard let subfolder else { return try DatasetLocator.locate(kind, in: root) }
            let folder = DataFile.joined(root, subfolder)
            guard DatasetLocator.holdsDataset(kind, folder: folder) else {
                throw PruneKitError.fileError(path: folder, message: "\(kind.name) files missing")
            }
            return LocatedDataset(kind: kind, folder: folder)
        } catch let error as PruneKitError where !required {
            throw XCTSkip("\(kind.name) not found under ./data: \(error)")
        }
    }

    // MARK: - Assertions

    /// Asserts `body` throws a `PruneKitError` of `expected` case whose path contains `path` and whose
    /// description contains every string of `mentions`.
    static func assertError(_ expected: ErrorCase, path: String? = nil, mentions: [String] = [],
                            file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? PruneKitError else {
                return XCTFail("expected PruneKitError, got \(error)", file: file, line: line)
            }
            let (found, foundPath): (ErrorCase, String?)
            switch error {
            case let .malformedFile(errorPath, _, _): (found, foundPath) = (.malformedFile, errorPath)
            case let .fileError(errorPath, _): (found, foundPath) = (.fileError, errorPath)
            case .invalidArgument: (found, foundPath) = (.invalidArgument, nil)
            case .usage: (found, foundPath) = (.usage, nil)
            default: return XCTFail("unexpected error case: \(error)", file: file, line: line)
            }
            XCTAssertEqual(found, expected, "\(error)", file: file, line: line)
            if let path { XCTAssertTrue(foundPath?.contains(path) == true, "path of \(error) should contain \(path)", file: file, line: line) }
            for mention in mentions {
                XCTAssertTrue(error.description.contains(mention), "'\(error)' should mention '\(mention)'", file: file, line: line)
            }
        }
    }
}

extension XCTestCase {
    /// A fresh empty folder under the system temporary directory, deleted when the test ends.
    func makeDataTestFolder() throws -> String {
        let label = name.filter { $0.isLetter || $0.isNumber }.suffix(40)
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("prunekit-data-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
