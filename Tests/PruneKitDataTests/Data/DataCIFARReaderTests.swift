import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// CIFARReader and CIFAR loading on synthetic record files: layouts, partial training sets, and one test
/// per corruption (size not a multiple of the record, empty file, bad fine/coarse label, corrupt gzip).
final class DataCIFARReaderTests: XCTestCase {
    func testCIFAR10RecordsSplitIntoLabelsAndPlanarPixels() throws {
        let folder = try makeDataTestFolder()
        let bytes = DataTestSupport.cifarRecords(labels: [3, 9, 0])
        try DataTestSupport.write(bytes, to: folder + "/test_batch.bin")
        let records = try CIFARReader.read(at: folder + "/test_batch.bin", layout: .cifar10)
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(records.labels, [3, 9, 0])
        XCTAssertEqual(records.pixels.count, 3 * 3072)
        XCTAssertEqual(Array(records.pixels[3072..<6144]), Array(bytes[3074..<6146]), "record 1 pixels follow its label byte")
    }

    func testCIFAR100UsesFineLabel() throws {
        let folder = try makeDataTestFolder()
        let bytes = DataTestSupport.cifarRecords(labels: [57, 99], coarse: [19, 4])
        try DataTestSupport.write(DataTestSupport.gzip(bytes), to: folder + "/train.bin.gz")
        let records = try CIFARReader.read(at: folder + "/train.bin.gz", layout: .cifar100)
        XCTAssertEqual(records.labels, [57, 99])
        XCTAssertEqual(Array(records.pixels[0..<3072]), Array(bytes[2..<3074]))
    }

    func testSizeNotMultipleOfRecordNamesFile() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/data_batch_1.bin"
        try DataTestSupport.write(DataTestSupport.cifarRecords(labels: [1, 2]) + [0, 0, 0, 0, 0], to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["multiple of 3073", "6151 bytes", "5 bytes left over"]) {
            _ = try CIFARReader.read(at: path, layout: .cifar10)
        }
        // A CIFAR-10 file read as CIFAR-100 is also rejected by size (3073 · 2 is not a multiple of 3074).
        try DataTestSupport.write(DataTestSupport.cifarRecords(labels: [1, 2]), to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["multiple of 3074"]) {
            _ = try CIFARReader.read(at: path, layout: .cifar100)
        }
        try DataTestSupport.write([], to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["positive multiple", "0 bytes"]) {
            _ = try CIFARReader.read(at: path, layout: .cifar10)
        }
    }

    func testBadLabelsNameRecord() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/test_batch.bin"
        try DataTestSupport.write(DataTestSupport.cifarRecords(labels: [1, 10, 2]), to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["0..<10", "label 10 in record 1"]) {
            _ = try CIFARReader.read(at: path, layout: .cifar10)
        }
        let hundred = folder + "/test.bin"
        try DataTestSupport.write(DataTestSupport.cifarRecords(labels: [5, 100], coarse: [1, 1]), to: hundred)
        DataTestSupport.assertError(.malformedFile, path: hundred, mentions: ["0..<100", "label 100 in record 1"]) {
            _ = try CIFARReader.read(at: hundred, layout: .cifar100)
        }
        try DataTestSupport.write(DataTestSupport.cifarRecords(labels: [5, 6], coarse: [20, 1]), to: hundred)
        DataTestSupport.assertError(.malformedFile, path: hundred, mentions: ["coarse label 20 in record 0"]) {
            _ = try CIFARReader.read(at: hundred, layout: .cifar100)
        }
    }

    func testCorruptGzipRecordFileNamesFile() throws {
        let folder = try makeDataTestFolder()
        let path = folder + "/test_batch.bin.gz"
        var bytes = DataTestSupport.gzip(DataTestSupport.cifarRecords(labels: [1, 2, 3]))
        bytes[0] = 0x1E
        try DataTestSupport.write(bytes, to: path)
        DataTestSupport.assertError(.malformedFile, path: path, mentions: ["gzip"]) {
            _ = try CIFARReader.read(at: path, layout: .cifar10)
        }
    }

    func testPartialTrainingBatchesAreConcatenatedInOrder() throws {
        let folder = try makeDataTestFolder() + "/cifar-10-subset"
        try DataTestSupport.write(DataTestSupport.cifarRecords(labels: [1, 2]), to: folder + "/data_batch_1.bin")
        try DataTestSupport.write(DataTestSupport.gzip(DataTestSupport.cifarRecords(labels: [7])), to: folder + "/data_batch_3.bin.gz")
        try DataTestSupport.write(DataTestSupport.cifarRecords(labels: [4, 5, 6]), to: folder + "/test_batch.bin")
        XCTAssertTrue(DatasetLocator.holdsDataset(.cifar10, folder: folder))
        let located = LocatedDataset(kind: .cifar10, folder: folder)
        let train = try Dataset.load(.train, from: located)
        XCTAssertEqual(train.labels, [1, 2, 7])
        XCTAssertEqual(train.files, [folder + "/data_batch_1.bin", folder + "/data_batch_3.bin.gz"])
        XCTAssertEqual(train.imageShape, [3, 32, 32])
        XCTAssertEqual(train.note, "lossless prefix of the official CIFAR-10 files; partial: 3 of 50000 train images")
        let test = try Dataset.load(.test, from: located)
        XCTAssertEqual(test.labels, [4, 5, 6])
        XCTAssertEqual(test.classCounts(), [0, 0, 0, 0, 1, 1, 1, 0, 0, 0])
    }

    func testDatasetInitRejectsInconsistentParts() {
        let norm = Normalization.unitRange(channels: 1)
        DataTestSupport.assertError(.invalidArgument, mentions: ["4 image bytes for 2 labels"]) {
            _ = try Dataset(name: "t", split: .train, images: [1, 2, 3, 4], labels: [0, 1], channels: 1, height: 1, width: 1,
                            classCount: 2, normalization: norm)
        }
        DataTestSupport.assertError(.invalidArgument, mentions: ["label 2 at index 1"]) {
            _ = try Dataset(name: "t", split: .train, images: [1, 2], labels: [0, 2], channels: 1, height: 1, width: 1,
                            classCount: 2, normalization: norm)
        }
    }
}
