import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// MD5 against the RFC 1321 test suite, Python's hashlib on longer inputs, chunked updates, and the
/// published checksums of the files in the data folder.
final class DataMD5Tests: XCTestCase {
    func testRFC1321Vectors() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (message, digest) in vectors {
            XCTAssertEqual(MD5.hexDigest(of: Array(message.utf8)), digest, "md5(\"\(message)\")")
        }
    }

    func testLongerInputsMatchPython() {
        // python: hashlib.md5(bytes((i*7+3)%256 for i in range(1000))).hexdigest()
        XCTAssertEqual(MD5.hexDigest(of: (0..<1000).map { UInt8(($0 * 7 + 3) % 256) }), "10046f077f2082ac19676b8079f1cb1a")
        // python: hashlib.md5(bytes((i*31+17)%251 for i in range(200000))).hexdigest()
        XCTAssertEqual(MD5.hexDigest(of: (0..<200_000).map { UInt8(($0 * 31 + 17) % 251) }), "75a5ee41d64fe5f3361ecb52419553a3")
    }

    func testChunkedUpdatesEqualOneShotAtEveryPaddingBoundary() {
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 13 + length) }
            let oneShot = MD5.hexDigest(of: bytes)
            for split in [0, 1, 31, length / 2, length - 1] {
                var md5 = MD5()
                md5.update(Array(bytes[..<split]))
                md5.update(Array(bytes[split...]))
                XCTAssertEqual(MD5.hex(md5.finalize()), oneShot, "length \(length) split at \(split)")
            }
        }
    }

    func testFileDigestAndMissingFile() throws {
        let folder = try makeDataTestFolder()
        try DataTestSupport.write(Array("abc".utf8), to: folder + "/abc.txt")
        XCTAssertEqual(try MD5.hexDigest(ofFileAt: folder + "/abc.txt"), "900150983cd24fb0d6963f7d28e17f72")
        DataTestSupport.assertError(.fileError, path: folder + "/missing") { _ = try MD5.hexDigest(ofFileAt: folder + "/missing") }
    }

    func testPublishedChecksumsOfRealFiles() throws {
        // From ../shared/datasets/README.md (lossless CIFAR-10 prefix files).
        let subset = try DataTestSupport.locateReal(.cifar10, subfolder: "cifar-10-subset")
        XCTAssertEqual(try MD5.hexDigest(ofFileAt: subset.folder + "/test_batch.bin"), "371f65da31ad652f5e24b3699a3e6515")
        let mnist = try DataTestSupport.locateReal(.mnist)
        // The locator accepts decompressed copies too; only the published .gz files have published MD5s.
        let published = DatasetKind.mnist.distribution.files.filter { FileManager.default.fileExists(atPath: mnist.folder + "/" + $0.name) }
        if published.isEmpty { throw XCTSkip("MNIST in \(mnist.folder) is not the published .gz files") }
        for file in published {
            XCTAssertEqual(try MD5.hexDigest(ofFileAt: mnist.folder + "/" + file.name), file.md5, file.name)
        }
    }
}
