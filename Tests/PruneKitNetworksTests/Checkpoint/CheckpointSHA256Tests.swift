import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// SHA-256 against the FIPS 180-2 test vectors (Appendix B and the one-million-'a' message), chunked updates
/// across every padding boundary, and a file digest.
final class CheckpointSHA256Tests: XCTestCase {
    func testFIPS180Vectors() {
        XCTAssertEqual(SHA256.hexDigest(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hexDigest(of: []), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"   // 448 bits
        XCTAssertEqual(SHA256.hexDigest(of: Array(twoBlocks.utf8)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testChunkedUpdatesEqualOneShotAtEveryPaddingBoundary() {
        // python: hashlib.sha256(bytes((i*7+3)%256 for i in range(1000))).hexdigest()
        XCTAssertEqual(SHA256.hexDigest(of: (0..<1000).map { UInt8(($0 * 7 + 3) % 256) }),
                       "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371")
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 13 + length) }
            let oneShot = SHA256.hexDigest(of: bytes)
            for split in [0, 1, 31, length / 2, length - 1] {
                var sha = SHA256()
                sha.update(Array(bytes[..<split]))
                sha.update(Array(bytes[split...]))
                XCTAssertEqual(SHA256.hex(sha.finalize()), oneShot, "length \(length) split at \(split)")
            }
        }
    }

    func testFileDigestAndMissingFile() throws {
        let path = NSTemporaryDirectory() + "sha256-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try SHA256.hexDigest(ofFileAt: path), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertThrowsError(try SHA256.hexDigest(ofFileAt: path + ".missing")) { error in
            XCTAssertTrue("\(error)".contains(path + ".missing"), "\(error)")
        }
    }
}
