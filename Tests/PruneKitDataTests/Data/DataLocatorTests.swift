import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// Data root resolution (flag, environment, ./data), dataset folder lookup order, lossy/partial notes,
/// and the error for a missing dataset. Files here are placeholders: lookup checks existence only.
final class DataLocatorTests: XCTestCase {
    private func touch(_ folder: String, _ names: [String]) throws {
        for name in names { try DataTestSupport.write([0], to: folder + "/" + name) }
    }

    private let cifarFiles = ["data_batch_1.bin", "test_batch.bin"]
    private let mnistFiles = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

    func testRootResolutionOrder() {
        let environment = ["PRUNEKIT_DATA": "/from/env"]
        XCTAssertEqual(DataDirectory.resolve(explicit: "/flag", environment: environment),
                       DataDirectory(path: "/flag", origin: .commandLine))
        XCTAssertEqual(DataDirectory.resolve(explicit: nil, environment: environment),
                       DataDirectory(path: "/from/env", origin: .environment))
        XCTAssertEqual(DataDirectory.resolve(explicit: "", environment: ["PRUNEKIT_DATA": ""]),
                       DataDirectory(path: "./data", origin: .defaultFolder))
    }

    func testCIFAR10PrefersOfficialThenJPEGThenSubset() throws {
        let root = try makeDataTestFolder()
        try touch(root + "/cifar-10-subset", cifarFiles)
        XCTAssertEqual(try DatasetLocator.locate(.cifar10, in: root).variant, "cifar-10-subset")
        try touch(root + "/cifar-10-jpeg", cifarFiles.map { $0 + ".gz" })
        let jpeg = try DatasetLocator.locate(.cifar10, in: root)
        XCTAssertEqual(jpeg.folder, root + "/cifar-10-jpeg")
        XCTAssertTrue(jpeg.isLossy)
        XCTAssertTrue(jpeg.note?.contains("LOSSY") == true)
        try touch(root + "/cifar-10-batches-bin", (1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"])
        let official = try DatasetLocator.locate(.cifar10, in: root)
        XCTAssertEqual(official.variant, "cifar-10-batches-bin")
        XCTAssertFalse(official.isLossy)
        XCTAssertNil(official.note)
    }

    func testIncompleteFolderIsSkipped() throws {
        let root = try makeDataTestFolder()
        try touch(root + "/cifar-10-batches-bin", ["data_batch_1.bin"])        // no test batch
        try touch(root + "/cifar-10-subset", cifarFiles)
        XCTAssertEqual(try DatasetLocator.locate(.cifar10, in: root).variant, "cifar-10-subset")
        try touch(root + "/mnist", Array(mnistFiles.dropLast()))
        DataTestSupport.assertError(.fileError, path: root) { _ = try DatasetLocator.locate(.mnist, in: root) }
    }

    func testRootThatDirectlyHoldsFilesIsAccepted() throws {
        let root = try makeDataTestFolder() + "/cifar-10-jpeg"
        try touch(root, cifarFiles.map { $0 + ".gz" })
        let found = try DatasetLocator.locate(.cifar10, in: root)
        XCTAssertEqual(found.folder, root)
        XCTAssertTrue(found.isLossy, "the folder name still marks the JPEG copy")
        let hundred = try makeDataTestFolder()
        try touch(hundred, ["train.bin", "test.bin"])
        XCTAssertEqual(try DatasetLocator.locate(.cifar100, in: hundred).folder, hundred)
    }

    func testMNISTAndFashionFoldersAreNotConfused() throws {
        let parent = try makeDataTestFolder()
        try touch(parent + "/fashion-mnist", mnistFiles)
        XCTAssertEqual(try DatasetLocator.locate(.fashionMNIST, in: parent).folder, parent + "/fashion-mnist")
        XCTAssertEqual(try DatasetLocator.locate(.fashionMNIST, in: parent + "/fashion-mnist").folder, parent + "/fashion-mnist")
        DataTestSupport.assertError(.fileError, mentions: ["no mnist dataset"]) {
            _ = try DatasetLocator.locate(.mnist, in: parent + "/fashion-mnist")
        }
        DataTestSupport.assertError(.fileError) { _ = try DatasetLocator.locate(.mnist, in: parent) }
    }

    func testMissingDatasetErrorNamesFoldersAndFetchCommand() throws {
        let root = try makeDataTestFolder()
        DataTestSupport.assertError(.fileError, path: root, mentions: [
            "no cifar10 dataset found", root + "/cifar-10-batches-bin", root + "/cifar-10-jpeg", root + "/cifar-10-subset",
            "prune-cli data fetch cifar10",
        ]) { _ = try DatasetLocator.locate(.cifar10, in: root) }
        DataTestSupport.assertError(.fileError, mentions: ["does not exist", "prune-cli data fetch cifar100"]) {
            _ = try Dataset.load(.cifar100, split: .train, dataDirectory: root + "/nowhere")
        }
    }

    func testDatasetNamesParse() throws {
        XCTAssertEqual(try DatasetKind(name: "mnist"), .mnist)
        XCTAssertEqual(try DatasetKind(name: "fashion-mnist"), .fashionMNIST)
        XCTAssertEqual(try DatasetKind(name: "CIFAR10"), .cifar10)
        XCTAssertEqual(try DatasetKind(name: "cifar-100"), .cifar100)
        assertThrowsPruneKitError(["parameter 'dataset'", "imagenet", "mnist, fashion-mnist, cifar10, cifar100"]) {
            _ = try DatasetKind(name: "imagenet")
        }
    }

    func testCatalogReportsFoundAndMissing() throws {
        let root = try makeDataTestFolder()
        try touch(root + "/mnist", mnistFiles)
        let catalog = DatasetCatalog(root: root)
        XCTAssertEqual(catalog.entries.map(\.kind), DatasetKind.allCases)
        XCTAssertEqual(catalog.entries[0].location?.folder, root + "/mnist")
        XCTAssertNil(catalog.entries[2].location)
        XCTAssertEqual(catalog.entries[2].distribution.downloadBytes, 170_052_171)
        let report = catalog.report
        XCTAssertTrue(report.contains("found: \(root)/mnist"), report)
        XCTAssertTrue(report.contains("missing (prune-cli data fetch cifar100)"), report)
        XCTAssertTrue(report.contains("c32a1d4ab5d03f1284b67883e8d87530"), report)
    }
}
