import PruneKitCore

/// The datasets PruneKit reads, with their shapes, file names, folders and standard statistics.
///
/// This enum is the single table the readers, the folder lookup, the fetcher and `prune-cli data list`
/// consult; adding a dataset starts here.
///
/// ```swift
/// let kind = try DatasetKind(name: "cifar10")
/// kind.imageShape          // [3, 32, 32]
/// kind.normalization.mean  // [0.4914, 0.4822, 0.4465]
/// ```
public enum DatasetKind: String, CaseIterable, Codable, Sendable {
    /// Handwritten digits, 28×28 grey, 10 classes, 60000/10000.
    case mnist = "mnist"
    /// Zalando clothing images, 28×28 grey, 10 classes, 60000/10000.
    case fashionMNIST = "fashion-mnist"
    /// 32×32 RGB, 10 classes, 50000/10000.
    case cifar10 = "cifar10"
    /// 32×32 RGB, 100 fine classes, 50000/10000.
    case cifar100 = "cifar100"

    /// The name used on the command line and in logs.
    public var name: String { rawValue }

    /// Parses a command-line name (`mnist`, `fashion-mnist`, `cifar10`, `cifar100`; `cifar-10` and
    /// `cifar-100` are accepted too). Throws `.usage` listing the valid names.
    public init(name: String) throws {
        let aliases = ["cifar-10": DatasetKind.cifar10, "cifar-100": .cifar100, "fashionmnist": .fashionMNIST]
        if let kind = DatasetKind(rawValue: name.lowercased()) ?? aliases[name.lowercased()] {
            self = kind
        } else {
            let names = DatasetKind.allCases.map(\.name).joined(separator: ", ")
            throw PruneKitError.invalidParameter(name: "dataset", expected: "one of \(names)", found: "'\(name)'")
        }
    }

    /// Number of classes.
    public var classCount: Int { self == .cifar100 ? 100 : 10 }

    /// [channels, height, width] of one image.
    public var imageShape: [Int] {
        switch self {
        case .mnist, .fashionMNIST: return [1, 28, 28]
        case .cifar10, .cifar100: return [3, 32, 32]
        }
    }

    /// Standard per-channel statistics of the training set (0...1 scale), as used by torchvision recipes.
    public var normalization: Normalization {
        switch self {
        case .mnist: return Normalization(mean: [0.1307], standardDeviation: [0.3081])
        case .fashionMNIST: return Normalization(mean: [0.2860], standardDeviation: [0.3530])
        case .cifar10: return Normalization(mean: [0.4914, 0.4822, 0.4465], standardDeviation: [0.2470, 0.2435, 0.2616])
        case .cifar100: return Normalization(mean: [0.5071, 0.4865, 0.4409], standardDeviation: [0.2673, 0.2564, 0.2762])
        }
    }

    /// The usual training augmentation: pad-4 random crop and flip for CIFAR, none for the MNISTs.
    public var trainingAugmentation: Augmentation {
        switch self {
        case .mnist, .fashionMNIST: return .none
        case .cifar10, .cifar100: return .cifarTraining
        }
    }

    /// Subfolders of a data root searched for this dataset, in order of preference.
    ///
    /// CIFAR-10: the official binary release first, then the JPEG-derived full copy (lossy), then the
    /// lossless 4000/1000 subset.
    public var folderNames: [String] {
        switch self {
        case .mnist: return ["mnist"]
        case .fashionMNIST: return ["fashion-mnist"]
        case .cifar10: return ["cifar-10-batches-bin", "cifar-10-jpeg", "cifar-10-subset"]
        case .cifar100: return ["cifar-100-binary"]
        }
    }

    /// Official file names of a split, without `.gz`. For CIFAR-10 training any non-empty subset of the
    /// five batches is accepted (`requiredFileNames` lists what must exist).
    public func fileNames(for split: DatasetSplit) -> [String] {
        switch (self, split) {
        case (.mnist, .train), (.fashionMNIST, .train): return ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
        case (.mnist, .test), (.fashionMNIST, .test): return ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        case (.cifar10, .train): return (1...5).map { "data_batch_\($0).bin" }
        case (.cifar10, .test): return ["test_batch.bin"]
        case (.cifar100, .train): return ["train.bin"]
        case (.cifar100, .test): return ["test.bin"]
        }
    }

    /// Whether a split needs all of `fileNames(for:)` (true) or at least one (CIFAR-10 training batches).
    public func needsEveryFile(of split: DatasetSplit) -> Bool { !(self == .cifar10 && split == .train) }
}

/// Which half of a dataset: the training set or the held-out test set.
public enum DatasetSplit: String, CaseIterable, Codable, Sendable {
    /// The training images (MNIST 60000, CIFAR 50000).
    case train
    /// The test images (10000 for all four datasets).
    case test
}
