import Foundation
import PruneKitCore
import PruneKitNetworks
import XCTest

/// Fixtures and assertions shared by the checkpoint tests (namespaced so they cannot clash with helpers
/// in other test folders).
package enum CheckpointTestSupport {
    /// The label passed to `SafeTensors.decode` so that messages can be checked for it.
    package static let fixturePath = "fixture/model.safetensors"

    /// A safetensors file from a literal header (not padded unless the literal is) and buffer bytes.
    package static func file(header: String, buffer: [UInt8] = []) -> Data {
        let headerBytes = Array(header.utf8)
        return file(headerLength: UInt64(headerBytes.count), rest: headerBytes + buffer)
    }

    /// Raw bytes: an arbitrary 8-byte length prefix followed by `rest`.
    package static func file(headerLength: UInt64, rest: [UInt8]) -> Data {
        withUnsafeBytes(of: headerLength.littleEndian) { Data($0) } + Data(rest)
    }

    /// Bytes from a hexadecimal string; whitespace is ignored.
    package static func bytes(hex: String) -> Data {
        let digits = Array(hex.filter { !$0.isWhitespace })
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        return Data(stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! })
    }

    /// Little-endian bytes of Float32 bit patterns.
    package static func littleEndianBytes(float32Bits: [UInt32]) -> [UInt8] {
        float32Bits.flatMap { bits in withUnsafeBytes(of: bits.littleEndian) { Array($0) } }
    }

    /// Asserts that decoding `data` throws `malformedFile` for `fixturePath` whose text contains every
    /// string in `mentions` (case-sensitive).
    package static func assertMalformed(_ data: Data, mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
        do {
            let decoded = try SafeTensors.decode(data, path: fixturePath)
            XCTFail("decoded a malformed file into \(decoded.names)", file: file, line: line)
        } catch let error as PruneKitError {
            guard case let .malformedFile(path, _, _) = error else {
                return XCTFail("expected malformedFile, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(path, fixturePath, file: file, line: line)
            let message = error.description
            XCTAssertTrue(message.hasPrefix(fixturePath + ": malformed file: expected "), message, file: file, line: line)
            for mention in mentions {
                XCTAssertTrue(message.contains(mention), "\"\(message)\" does not mention \"\(mention)\"", file: file, line: line)
            }
        } catch {
            XCTFail("expected PruneKitError, got \(error)", file: file, line: line)
        }
    }

    /// A fresh empty directory under the system temporary directory.
    package static func makeScratchDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("prunekit-checkpoint-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        return url.path
    }

    /// Names in `directory`, sorted.
    package static func contents(of directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// Float32 bit patterns of a `.float32` value, or nil.
    package static func float32Bits(_ value: SafeTensorsValue?) -> [UInt32]? {
        value?.float32Tensor?.scalars.map(\.bitPattern)
    }
}
