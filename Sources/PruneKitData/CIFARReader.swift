import PruneKitCore

/// Reader for the binary version of CIFAR-10 and CIFAR-100 (Krizhevsky 2009,
/// https://www.cs.toronto.edu/~kriz/cifar.html).
///
/// A file is a sequence of fixed-size records with no header:
/// - CIFAR-10, 3073 bytes: `<label 0–9><1024 red><1024 green><1024 blue>`;
/// - CIFAR-100, 3074 bytes: `<coarse label 0–19><fine label 0–99><1024 red><1024 green><1024 blue>`;
/// each plane is 32×32 row-major, so a record's pixels are already [3, 32, 32] (CHW). CIFAR-100 uses the
/// fine label. The record count comes from the (decompressed) size, which must be a positive multiple of
/// the record size; `.bin.gz` files are decompressed on the fly.
///
/// ```swift
/// let records = try CIFARReader.read(at: "cifar-10-batches-bin/test_batch.bin", layout: .cifar10)
/// records.count          // 10000
/// records.pixels.count   // 10000 · 3072
/// ```
public enum CIFARReader {
    /// Bytes of one image's pixels: 3 channels × 32 × 32.
    public static let pixelsPerRecord = 3 * 32 * 32

    /// Which of the two record layouts a file uses.
    public enum Layout: Sendable {
        /// 3073-byte records with one label byte.
        case cifar10
        /// 3074-byte records: coarse label, fine label.
        case cifar100

        /// Bytes per record.
        public var recordSize: Int { labelBytes + CIFARReader.pixelsPerRecord }
        /// Number of leading label bytes.
        public var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        /// Number of (fine) classes: 10 or 100.
        public var classCount: Int { self == .cifar10 ? 10 : 100 }
    }

    /// Decoded records: `pixels` is [count, 3, 32, 32].
    public struct Records {
        /// Number of records.
        public var count: Int { labels.count }
        /// count · 3072 bytes, channel planes in R, G, B order.
        public var pixels: [UInt8]
        /// One (fine) label per record.
        public var labels: [Int]
    }

    /// Reads every record of one file.
    public static func read(at path: String, layout: Layout) throws -> Records {
        var records = Records(pixels: [], labels: [])
        try append(fileAt: path, layout: layout, to: &records)
        return records
    }

    /// Reads one file and appends its records to `records` (used to concatenate training batches).
    public static func append(fileAt path: String, layout: Layout, to records: inout Records) throws {
        let bytes = try DataFile.readBytes(at: path)
        let recordSize = layout.recordSize
        guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
            throw PruneKitError.malformedFile(
                path: path, expected: "a positive multiple of \(recordSize) bytes (\(layout) records)",
                found: "\(bytes.count) bytes (\(bytes.count / recordSize) records and \(bytes.count % recordSize) bytes left over)")
        }
        let count = bytes.count / recordSize
        records.pixels.reserveCapacity(records.pixels.count + count * pixelsPerRecord)
        records.labels.reserveCapacity(records.labels.count + count)
        try bytes.withUnsafeBufferPointer { source in
            for record in 0..<count {
                let start = record * recordSize
                let label = try checkedLabel(source, recordStart: start, record: record, layout: layout, path: path)
                records.labels.append(label)
                let pixelStart = start + layout.labelBytes
                records.pixels.append(contentsOf: UnsafeBufferPointer(rebasing: source[pixelStart..<pixelStart + pixelsPerRecord]))
            }
        }
    }

    private static func checkedLabel(_ source: UnsafeBufferPointer<UInt8>, recordStart: Int, record: Int,
                                     layout: Layout, path: String) throws -> Int {
        if layout == .cifar100, source[recordStart] >= 20 {
            throw PruneKitError.malformedFile(path: path, expected: "coarse labels in 0..<20",
                                              found: "coarse label \(source[recordStart]) in record \(record)")
        }
        let label = Int(source[recordStart + layout.labelBytes - 1])
        guard label < layout.classCount else {
            throw PruneKitError.malformedFile(path: path, expected: "labels in 0..<\(layout.classCount)",
                                              found: "label \(label) in record \(record)")
        }
        return label
    }
}
