import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// The real files under PRUNEKIT_DATA (CI: ../shared/datasets). Without PRUNEKIT_DATA and ./data these
/// skip; with PRUNEKIT_DATA set, a missing or wrong file fails. Golden values come from Python:
///
///     import gzip
///     d = gzip.open('mnist/train-images-idx3-ubyte.gz').read()[16:]
///     l = gzip.open('mnist/train-labels-idx1-ubyte.gz').read()[8:]
///     list(l[:5]), sum(d[:784]), sum(d), d[14*28+14]        # [5,0,4,1,9] 27525 1567298545 240
///     t = gzip.open('mnist/t10k-images-idx3-ubyte.gz').read()[16:]; sum(t)          # 264923200
///     f = gzip.open('fashion-mnist/train-images-idx3-ubyte.gz').read()[16:]; sum(f)  # 3431114169
///     c = open('cifar-10-subset/data_batch_1.bin','rb').read()
///     list(c[0::3073][:10]), sum(c[1:3073]), c[1], c[1+1024], c[1+2048], c[1+32*5+7]
///         # [6,9,9,4,1,1,2,7,8,3] 317790 59 62 63 119
///     j = gzip.open('cifar-10-jpeg/test_batch.bin.gz').read()
///     list(j[0::3073][:10]), sum(j[1:3073])                  # [3,8,8,0,6,6,1,6,3,1] 332902
final class DataRealDatasetTests: XCTestCase {
    private func sum(_ bytes: some Collection<UInt8>) -> Int { bytes.reduce(0) { $0 + Int($1) } }

    func testMNIST() throws {
        let located = try DataTestSupport.locateReal(.mnist)
        let train = try Dataset.load(.train, from: located)
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(train.imageShape, [1, 28, 28])
        XCTAssertEqual(Array(train.labels.prefix(5)), [5, 0, 4, 1, 9])
        XCTAssertEqual(sum(train.image(at: 0)), 27_525)
        XCTAssertEqual(sum(train.images), 1_567_298_545)
        XCTAssertEqual(train.images[14 * 28 + 14], 240)
        XCTAssertEqual(train.classCounts().reduce(0, +), 60_000)
        XCTAssertNil(train.note)
        let test = try Dataset.load(.test, from: located)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(Array(test.labels.prefix(5)), [7, 2, 1, 0, 4])
        XCTAssertEqual(sum(test.images), 264_923_200)
        // First evaluation batch, pixel (14, 14) of image 0: (240/255 − 0.1307) / 0.3081 = 2.6305633 (float32).
        let loader = try DataLoader(dataset: train, config: .evaluation(batchSize: 32))
        let batch = try loader.batch(epoch: 0, index: 0)
        XCTAssertEqual(batch.images.shape, [32, 1, 28, 28])
        XCTAssertEqual(batch.images[0, 0, 14, 14], 2.6305633, accuracy: 1e-6)
        XCTAssertEqual(batch.labels.prefix(5), [5, 0, 4, 1, 9])
    }

    func testFashionMNIST() throws {
        let located = try DataTestSupport.locateReal(.fashionMNIST)
        let train = try Dataset.load(.train, from: located)
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(Array(train.labels.prefix(10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        XCTAssertEqual(sum(train.images), 3_431_114_169)
        XCTAssertEqual(train.classCounts(), Array(repeating: 6_000, count: 10))
        let test = try Dataset.load(.test, from: located)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(Array(test.labels.prefix(5)), [9, 2, 1, 1, 6])
        XCTAssertEqual(test.classCounts(), Array(repeating: 1_000, count: 10))
    }

    func testCIFAR10Subset() throws {
        let located = try DataTestSupport.locateReal(.cifar10, subfolder: "cifar-10-subset")
        let train = try Dataset.load(.train, from: located)
        XCTAssertEqual(train.count, 4_000)
        // Class counts from ../shared/datasets/README.md.
        XCTAssertEqual(train.classCounts(), [396, 366, 420, 384, 422, 393, 414, 385, 407, 413])
        XCTAssertEqual(Array(train.labels.prefix(10)), [6, 9, 9, 4, 1, 1, 2, 7, 8, 3])
        XCTAssertEqual(sum(train.image(at: 0)), 317_790)
        XCTAssertEqual([train.images[0], train.images[1024], train.images[2048], train.images[32 * 5 + 7]], [59, 62, 63, 119])
        XCTAssertTrue(train.note?.contains("partial: 4000 of 50000") == true, "\(train.note ?? "nil")")
        let test = try Dataset.load(.test, from: located)
        XCTAssertEqual(test.count, 1_000)
        XCTAssertEqual(test.classCounts(), [103, 89, 100, 103, 90, 86, 112, 102, 106, 109])
    }

    func testCIFAR10JPEGCopy() throws {
        let located = try DataTestSupport.locateReal(.cifar10, subfolder: "cifar-10-jpeg")
        XCTAssertTrue(located.isLossy)
        let test = try Dataset.load(.test, from: located)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(Array(test.labels.prefix(10)), [3, 8, 8, 0, 6, 6, 1, 6, 3, 1])
        XCTAssertEqual(sum(test.image(at: 0)), 332_902)
        XCTAssertEqual(test.classCounts(), Array(repeating: 1_000, count: 10))
        XCTAssertTrue(test.note?.contains("LOSSY") == true)
        let train = try Dataset.load(.train, from: located)
        XCTAssertEqual(train.count, 50_000)
        XCTAssertEqual(train.files.count, 5)
        XCTAssertEqual(train.classCounts(), Array(repeating: 5_000, count: 10))
        // Batch 1's class counts, as published for the official data_batch_1 (README).
        var firstBatch = [Int](repeating: 0, count: 10)
        for label in train.labels.prefix(10_000) { firstBatch[label] += 1 }
        XCTAssertEqual(firstBatch, [1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981])
    }

    func testLocatorOnRealRootReportsWhichCopy() throws {
        let (root, required) = try DataTestSupport.realDataRoot()
        guard required else { throw XCTSkip("folder layout checked only on PRUNEKIT_DATA") }
        let cifar = try DatasetLocator.locate(.cifar10, in: root)
        // The shared folder has no official copy: the full JPEG-derived one is preferred over the 4000/1000 subset.
        if !DataFile.isFolder(DataFile.joined(root, "cifar-10-batches-bin")) {
            XCTAssertEqual(cifar.variant, "cifar-10-jpeg")
            XCTAssertTrue(cifar.isLossy)
        }
        XCTAssertEqual(try DatasetLocator.locate(.mnist, in: root).folder, DataFile.joined(root, "mnist"))
        XCTAssertEqual(try DatasetLocator.locate(.fashionMNIST, in: DataFile.joined(root, "fashion-mnist")).variant, "fashion-mnist")
    }
}
