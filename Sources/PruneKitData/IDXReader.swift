import PruneKitCore

/// Reader for the IDX files of MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/).
///
/// Layout, all integers big-endian UInt32:
/// - images: magic 2051 (0x00000803), count, rows, columns, then count·rows·columns bytes, row-major;
/// - labels: magic 2049 (0x00000801), count, then count bytes.
///
/// The file size must match the header exactly. Files ending in `.gz` are decompressed on the fly.
/// Every error is a `PruneKitError.malformedFile` (or `.fileError`) naming the path, expected and found value.
///
/// ```swift
/// let images = try IDXReader.readImages(at: "mnist/train-images-idx3-ubyte.gz")   // 60000 × 28 × 28
/// let labels = try IDXReader.readLabels(at: "mnist/train-labels-idx1-ubyte.gz")   // 60000 bytes
/// ```
public enum IDXReader {
    /// Magic number of an IDX file of unsigned-byte images with three dimensions.
    public static let imagesMagic: UInt32 = 2051
    /// Magic number of an IDX file of unsigned-byte labels with one dimension.
    public static let labelsMagic: UInt32 = 2049

    /// Decoded IDX images: `pixels` is [count, rows, columns] row-major.
    public struct Images {
        /// Number of images.
        public let count: Int
        /// Image height.
        public let rows: Int
        /// Image width.
        public let columns: Int
        /// count · rows · columns grey levels in 0...255.
        public let pixels: [UInt8]
    }

    /// Reads an IDX3 image file; checks magic 2051 and that size = 16 + count · rows · columns.
    public static func readImages(at path: String) throws -> Images {
        var bytes = try DataFile.readBytes(at: path)
        try checkHeader(bytes, path: path, magic: imagesMagic, headerSize: 16, kind: "images")
        let count = Int(bigEndianUInt32(bytes, at: 4))
        let rows = Int(bigEndianUInt32(bytes, at: 8))
        let columns = Int(bigEndianUInt32(bytes, at: 12))
        // Each factor is below 2^32, but a corrupt header can make the product overflow Int.
        let (area, overflowArea) = rows.multipliedReportingOverflow(by: columns)
        let (payload, overflowPayload) = count.multipliedReportingOverflow(by: area)
        let overflow = overflowArea || overflowPayload
        guard !overflow, bytes.count == 16 + payload else {
            throw PruneKitError.malformedFile(
                path: path, expected: (overflow ? "a size that fits in memory" : "\(16 + payload) bytes") + " for \(count) images of \(rows)x\(columns)",
                found: "\(bytes.count) bytes")
        }
        bytes.removeFirst(16)
        return Images(count: count, rows: rows, columns: columns, pixels: bytes)
    }

    /// Reads an IDX1 label file; checks magic 2049 and that size = 8 + count.
    public static func readLabels(at path: String) throws -> [UInt8] {
        var bytes = try DataFile.readBytes(at: path)
        try checkHeader(bytes, path: path, magic: labelsMagic, headerSize: 8, kind: "labels")
        let count = Int(bigEndianUInt32(bytes, at: 4))
        guard bytes.count == 8 + count else {
            throw PruneKitError.malformedFile(path: path, expected: "\(8 + count) bytes for \(count) labels",
                                              found: "\(bytes.count) bytes")
        }
        bytes.removeFirst(8)
        return bytes
    }

    private static func checkHeader(_ bytes: [UInt8], path: String, magic: UInt32, headerSize: Int, kind: String) throws {
        guard bytes.count >= headerSize else {
            throw PruneKitError.malformedFile(path: path, expected: "an IDX \(kind) header of \(headerSize) bytes",
                                              found: "a file of \(bytes.count) bytes")
        }
        let found = bigEndianUInt32(bytes, at: 0)
        guard found == magic else {
            throw PruneKitError.malformedFile(path: path, expected: "IDX \(kind) magic \(magic) (\(hex(magic)))",
                                              found: "magic \(found) (\(hex(found)))")
        }
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
