import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// IDXReader and MNIST-style loading on synthetic files: round trip, and one test per corruption
/// (bad magic, truncated header, truncated data, count mismatch, bad label, wrong geometry, corrupt gzip).
final class DataIDXReaderTests: XCTestCase {
    /// Writes a complete 4-file MNIST folder of `count` 28×28 images; returns the folder.
    private func makeMNISTFolder(count: Int = 5, labels: [UInt8]? = nil, gzip: Bool = false) throws -> String {
        let folder = try makeDataTestFolder() + "/mnist"
        let labelBytes = labels ?? (0..<count).map { UInt8($0 % 10) }
        let files: [(String, [UInt8])] = [
            ("train-images-idx3-ubyte", DataTestSupport.idxImages(count: count, rows: 28, columns: 28)),
            ("train-labels-idx1-ubyte", DataTestSupport.idxLabels(labelBytes)),
            ("t10k-images-idx3-ubyte", DataTestSupport.idxImages(count: 2, rows: 28, columns: 28)),
            ("t10k-labels-idx1-ubyte", DataTestSupport.idxLabels([3, 4])),
        ]
        for (name, bytes) in files {
            try DataTestSupport.write(gzip ? DataTestSupport.gzip(bytes) : bytes, to: folder + "/" + name + (gzip ? ".gz" : ""))
        }
        return folder
    }

    func testReadsImagesAndLabelsRoundTrip() throws {
        let folder = try makeDataTestFolder()
        let pixels = (0..<3 * 2 * 4).map { UInt8($0 * 10) }
        try DataTestSupport.write(DataTestSupport.idxImages(count: 3, rows: 2, columns: 4, pixels: pixels), to: folder + "/i")
        try DataTestSupport.write(DataTestSupport.idxLabels([7, 0, 9]), to: folder + "/l")
        let images = try IDXReader.readImages(at: folder + "/i")
        XCTAssertEqual([images.count, images.rows, images.columns], [3, 2, 4])
        XCTAssertEqual(images.pixels, pixels)
        XCTAssertEqual(try IDXReader.readLabels(at: folder + "/l"), [7, 0, 9])
    }

    func testLoadsMNISTFolderPlainAndGzip() throws {
        for gzip in [false, true] {
            let folder = try makeMNISTFolder(count: 5, gzip: gzip)
            let train = try Dataset.load(.train, from: LocatedDataset(kind: .mnist, folder: folder))
            XCTAssertEqual(train.count, 5)
            XCTAssertEqual(train.imageShape, [1, 28, 28])
            XCTAssertEqual(train.labels, [0, 1, 2, 3, 4])
            XCTAssertEqual(Array(train.image(at: 1)), Array(DataTestSupport.idxImages(count: 5, rows: 28, columns: 28)[(16 + 784)..<(16 + 1568)]))
            XCTAssertEqual(train.note, "partial: 5 of 60000 train images")
            let test = try Dataset.load(.test, from: LocatedDataset(kind: .mnist, folder: folder))
            XCTAssertEqual(test.labels, [3, 4])
        }
    }

    func testBadMagicNamesPathAndBothMagics() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/labels-given-as-images"
        try DataTestSupport.write(DataTestSupport.idxLabels(Array(0..<20)), to: path)   // long enough for an images header
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["magic 2051", "magic 2049"]) {
            _ = try IDXReader.readImages(at: path)
        }
        let images = folder + "/images-given-as-labels"
        try DataTestSupport.write(DataTestSupport.idxImages(count: 1, rows: 2, columns: 2), to: images)
        DataTestSupport.assertError(.malformedFile, path: images, mentions: ["magic 2049", "found magic 2051"]) {
            _ = try IDXReader.readLabels(at: images)
        }
    }

    func testTruncatedHeaderIsMalformed() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/short"
        try DataTestSupport.write(Array(DataTestSupport.idxImages(count: 1, rows: 2, columns: 2).prefix(10)), to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["16 bytes", "10 bytes"]) {
            _ = try IDXReader.readImages(at: path)
        }
        try DataTestSupport.write([0, 0, 8], to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["8 bytes", "3 bytes"]) {
            _ = try IDXReader.readLabels(at: path)
        }
    }

    func testTruncatedDataIsMalformedWithExpectedAndFoundSizes() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/truncated"
        try DataTestSupport.write(Array(DataTestSupport.idxImages(count: 3, rows: 28, columns: 28).dropLast()), to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["2368 bytes", "2367 bytes", "3 images of 28x28"]) {
            _ = try IDXReader.readImages(at: path)
        }
        try DataTestSupport.write(Array(DataTestSupport.idxLabels([1, 2, 3]).dropLast()), to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["11 bytes for 3 labels", "10 bytes"]) {
            _ = try IDXReader.readLabels(at: path)
        }
    }

    func testHugeHeaderCountsDoNotOverflow() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/huge"
        let header = [0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12)
        try DataTestSupport.write(header, to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["16 bytes"]) { _ = try IDXReader.readImages(at: path) }
    }

    func testImageAndLabelCountMismatchNamesLabelFile() throws {
        let folder = try makeMNISTFolder(count: 5)
        let labels = folder + "/train-labels-idx1-ubyte"
        try DataTestSupport.write(DataTestSupport.idxLabels([1, 2, 3, 4]), to: labels)
        DataTestSupport.assertError(.malformedFile, path: labels, mentions: ["5 labels", "found 4 labels"]) {
            _ = try Dataset.load(.train, from: LocatedDataset(kind: .mnist, folder: folder))
        }
    }

    func testLabelOutOfRangeIsMalformed() throws {
        let folder = try makeMNISTFolder(count: 3, labels: [1, 10, 2])
        DataTestSupport.assertError(.malformedFile, path: folder + "/train-labels-idx1-ubyte", mentions: ["0..<10", "label 10 at index 1"]) {
            _ = try Dataset.load(.train, from: LocatedDataset(kind: .mnist, folder: folder))
        }
    }

    func testWrongImageSizeIsMalformed() throws {
        let folder = try makeMNISTFolder(count: 2)
        let images = folder + "/train-images-idx3-ubyte"
        try DataTestSupport.write(DataTestSupport.idxImages(count: 2, rows: 32, columns: 32), to: images)
        DataTestSupport.assertError(.malformedFile, path: images, mentions: ["28x28", "32x32"]) {
            _ = try Dataset.load(.train, from: LocatedDataset(kind: .mnist, folder: folder))
        }
    }

    func testCorruptGzipInDatasetNamesFile() throws {
        let folder = try makeMNISTFolder(count: 2, gzip: true)
        let path = folder + "/t10k-images-idx3-ubyte.gz"
        var bytes = try DataTestSupport.read(path)
        bytes[bytes.count - 6] ^= 0x55   // inside the CRC-32 trailer
        try DataTestSupport.write(bytes, to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["gzip"]) {
            _ = try Dataset.load(.test, from: LocatedDataset(kind: .mnist, folder: folder))
        }
    }

    func testMissingFileIsFileError() throws {
        let folder = try makeMNISTFolder(count: 2)
        try FileManager.default.removeItem(atPath: folder + "/t10k-labels-idx1-ubyte")
        DataTestSupport.assertError(.fileError, path: folder + "/t10k-labels-idx1-ubyte", mentions: ["no such file"]) {
            _ = try Dataset.load(.test, from: LocatedDataset(kind: .mnist, folder: folder))
        }
    }
}
