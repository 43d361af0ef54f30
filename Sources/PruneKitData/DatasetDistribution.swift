import PruneKitCore

/// How a dataset is published: the files to download (with MD5 and size) and, for the CIFAR tarballs,
/// which archive members to extract.
///
/// MNIST and Fashion-MNIST are four gzip files kept as they are in `root/<folderName>/`; the readers
/// decompress them on the fly. CIFAR-10/100 are one `.tar.gz` each whose members live under
/// `<folderName>/` inside the archive, so extracting into the root gives `root/cifar-10-batches-bin/*.bin`.
///
/// ```swift
/// let cifar = DatasetKind.cifar10.distribution
/// cifar.files[0].md5            // "c32a1d4ab5d03f1284b67883e8d87530"
/// cifar.extractedFiles          // ["data_batch_1.bin", ..., "test_batch.bin"]
/// ```
public struct DatasetDistribution: Sendable {
    /// The dataset.
    public let kind: DatasetKind
    /// Subfolder of the data root that receives the dataset.
    public let folderName: String
    /// Files to download, in order.
    public let files: [RemoteFile]
    /// For an archive: the files (relative to `folderName`) that must come out of it, with their sizes.
    public let extractedFiles: [String]
    /// Expected size of each of `extractedFiles`, same order.
    public let extractedSizes: [Int64]

    /// Whether the download is a `.tar.gz` to extract.
    public var isArchive: Bool { !extractedFiles.isEmpty }

    /// Total bytes to download.
    public var downloadBytes: Int64 { files.reduce(0) { $0 + $1.size } }
}

extension DatasetKind {
    /// The official distribution of this dataset (URLs, MD5s and sizes from the publishers' pages).
    public var distribution: DatasetDistribution {
        switch self {
        case .mnist:
            return idxDistribution(base: "https://ossci-datasets.s3.amazonaws.com/mnist/", checksums: [
                ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873", 9_912_422),
                ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432", 28_881),
                ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3", 1_648_877),
                ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c", 4_542),
            ])
        case .fashionMNIST:
            return idxDistribution(base: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", checksums: [
                ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", 26_421_880),
                ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe", 29_515),
                ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79", 4_422_102),
                ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310", 5_148),
            ])
        case .cifar10:
            let archive = RemoteFile(name: "cifar-10-binary.tar.gz",
                                     canonicalURL: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                                     md5: "c32a1d4ab5d03f1284b67883e8d87530", size: 170_052_171)
            return DatasetDistribution(kind: self, folderName: "cifar-10-batches-bin", files: [archive],
                                       extractedFiles: fileNames(for: .train) + fileNames(for: .test),
                                       extractedSizes: Array(repeating: 30_730_000, count: 6))
        case .cifar100:
            let archive = RemoteFile(name: "cifar-100-binary.tar.gz",
                                     canonicalURL: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
                                     md5: "03b5dce01913d631647c71ecec9e9cb8", size: 168_513_733)
            return DatasetDistribution(kind: self, folderName: "cifar-100-binary", files: [archive],
                                       extractedFiles: ["train.bin", "test.bin"], extractedSizes: [153_700_000, 30_740_000])
        }
    }

    private func idxDistribution(base: String, checksums: [(String, String, Int64)]) -> DatasetDistribution {
        let files = checksums.map { RemoteFile(name: $0.0, canonicalURL: base + $0.0, md5: $0.1, size: $0.2) }
        return DatasetDistribution(kind: self, folderName: folderNames[0], files: files, extractedFiles: [], extractedSizes: [])
    }
}
