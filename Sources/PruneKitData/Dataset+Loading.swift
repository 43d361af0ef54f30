import PruneKitCore

/// Loading the four standard datasets from disk.
///
/// MNIST and Fashion-MNIST come from IDX files (`IDXReader`), CIFAR-10/100 from binary record files
/// (`CIFARReader`); `.gz` variants are decompressed on the fly. The image and label files of an IDX split
/// must agree on the count, and every label must be below the class count.
///
/// ```swift
/// let located = try DatasetLocator.locate(.mnist, in: "../shared/datasets")
/// let test = try Dataset.load(.test, from: located)          // 10000 images 1x28x28
/// ```
extension Dataset {
    /// Resolves the data root (`dataDirectory`, else `PRUNEKIT_DATA`, else `./data`), finds `kind` in it and
    /// reads `split`.
    public static func load(_ kind: DatasetKind, split: DatasetSplit, dataDirectory: String?) throws -> Dataset {
        let root = DataDirectory.resolve(explicit: dataDirectory)
        return try load(split, from: DatasetLocator.locate(kind, in: root.path))
    }

    /// Reads `split` of the dataset found at `located`.
    public static func load(_ split: DatasetSplit, from located: LocatedDataset) throws -> Dataset {
        let kind = located.kind
        let files = try DatasetLocator.files(of: kind, split: split, in: located.folder)
        let shape = kind.imageShape
        let (images, labels): ([UInt8], [Int])
        switch kind {
        case .mnist, .fashionMNIST:
            (images, labels) = try readIDX(imagesPath: files[0], labelsPath: files[1], kind: kind)
        case .cifar10, .cifar100:
            var records = CIFARReader.Records(pixels: [], labels: [])
            for file in files {
                try CIFARReader.append(fileAt: file, layout: kind == .cifar10 ? .cifar10 : .cifar100, to: &records)
            }
            (images, labels) = (records.pixels, records.labels)
        }
        return try Dataset(name: kind.name, split: split, images: images, labels: labels,
                           channels: shape[0], height: shape[1], width: shape[2], classCount: kind.classCount,
                           normalization: kind.normalization, folder: located.folder, files: files,
                           note: note(for: located, split: split, count: labels.count))
    }

    private static func readIDX(imagesPath: String, labelsPath: String, kind: DatasetKind) throws -> ([UInt8], [Int]) {
        let images = try IDXReader.readImages(at: imagesPath)
        let (height, width) = (kind.imageShape[1], kind.imageShape[2])
        guard images.rows == height, images.columns == width else {
            throw PruneKitError.malformedFile(path: imagesPath, expected: "\(height)x\(width) images",
                                              found: "\(images.rows)x\(images.columns) images")
        }
        let labelBytes = try IDXReader.readLabels(at: labelsPath)
        guard labelBytes.count == images.count else {
            throw PruneKitError.malformedFile(path: labelsPath, expected: "\(images.count) labels (the image count of \(imagesPath))",
                                              found: "\(labelBytes.count) labels")
        }
        if let bad = labelBytes.firstIndex(where: { Int($0) >= kind.classCount }) {
            throw PruneKitError.malformedFile(path: labelsPath, expected: "labels in 0..<\(kind.classCount)",
                                              found: "label \(labelBytes[bad]) at index \(bad)")
        }
        return (images.pixels, labelBytes.map { Int($0) })
    }

    /// The folder's caveat plus, when the split is smaller than the official one, how much is there.
    private static func note(for located: LocatedDataset, split: DatasetSplit, count: Int) -> String? {
        let official: Int
        switch (located.kind, split) {
        case (.mnist, .train), (.fashionMNIST, .train): official = 60_000
        case (.cifar10, .train), (.cifar100, .train): official = 50_000
        case (_, .test): official = 10_000
        }
        let partial = count < official ? "partial: \(count) of \(official) \(split.rawValue) images" : nil
        let parts = [located.note, partial].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
