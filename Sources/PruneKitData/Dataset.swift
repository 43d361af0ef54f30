import PruneKitCore

/// An in-memory image-classification dataset: 8-bit images [count, channels, height, width] and labels.
///
/// Images stay bytes (CIFAR-10 training: 154 MB rather than 614 MB as Float32); `DataLoader` converts one
/// batch at a time to normalised Float32. `folder`, `files` and `note` record where the data came from,
/// so a run can report e.g. that it used the lossy JPEG copy of CIFAR-10.
///
/// ```swift
/// let train = try Dataset.load(.cifar10, split: .train, dataDirectory: nil)   // --data-dir / PRUNEKIT_DATA / ./data
/// train.count                   // 50000
/// train.image(at: 0).count      // 3072 bytes, CHW
/// ```
public struct Dataset: Sendable {
    /// Dataset name (`mnist`, `cifar10`, or any name for a hand-made dataset).
    public let name: String
    /// Training or test half.
    public let split: DatasetSplit
    /// count · channels · height · width bytes, row-major [N, C, H, W].
    public let images: [UInt8]
    /// One label per image, each in 0..<classCount.
    public let labels: [Int]
    /// Channels per image (1 grey, 3 RGB).
    public let channels: Int
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int
    /// Number of classes.
    public let classCount: Int
    /// Statistics the loader normalises with by default.
    public let normalization: Normalization
    /// Folder the files were read from (empty for a hand-made dataset).
    public let folder: String
    /// Paths of the files read, in order.
    public let files: [String]
    /// A caveat about the data to show the user (lossy copy, partial subset), or nil.
    public let note: String?

    /// A dataset from raw parts; throws `.invalidArgument` when sizes disagree or a label is out of range.
    public init(name: String, split: DatasetSplit, images: [UInt8], labels: [Int], channels: Int, height: Int, width: Int,
                classCount: Int, normalization: Normalization, folder: String = "", files: [String] = [], note: String? = nil) throws {
        let operation = "Dataset(\(name))"
        guard channels > 0, height > 0, width > 0, classCount > 0, normalization.channels == channels else {
            throw PruneKitError.invalidArgument(operation: operation,
                message: "invalid geometry \(channels)x\(height)x\(width), \(classCount) classes, \(normalization.channels)-channel normalisation")
        }
        guard images.count == labels.count * channels * height * width else {
            throw PruneKitError.invalidArgument(operation: operation,
                message: "\(images.count) image bytes for \(labels.count) labels of \(channels)x\(height)x\(width)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw PruneKitError.invalidArgument(operation: operation,
                message: "label \(labels[bad]) at index \(bad) is outside 0..<\(classCount)")
        }
        self.name = name
        self.split = split
        self.images = images
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classCount = classCount
        self.normalization = normalization
        self.folder = folder
        self.files = files
        self.note = note
    }

    /// Number of images.
    public var count: Int { labels.count }

    /// Bytes per image: channels · height · width.
    public var imageSize: Int { channels * height * width }

    /// [channels, height, width].
    public var imageShape: [Int] { [channels, height, width] }

    /// The bytes of image `index`, [channels, height, width].
    public func image(at index: Int) -> ArraySlice<UInt8> {
        images[index * imageSize..<(index + 1) * imageSize]
    }

    /// How many images each class has: `classCounts()[k]` = number of labels equal to k.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// One-line summary, e.g. `cifar10 train: 4000 images 3x32x32, 10 classes, from /data/cifar-10-subset`.
    public var summary: String {
        let origin = folder.isEmpty ? "" : ", from \(folder)"
        let caveat = note.map { " (\($0))" } ?? ""
        return "\(name) \(split.rawValue): \(count) images \(channels)x\(height)x\(width), \(classCount) classes\(origin)\(caveat)"
    }
}
