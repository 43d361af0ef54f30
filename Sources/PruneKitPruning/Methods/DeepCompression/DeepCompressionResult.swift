import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Deep Compression's storage accounting (Han et al., ICLR 2016, Table 1): the dense float32 size, the size of the
/// pruned, k-means-shared, Huffman-coded format (`CompressedSize`) and their ratio.
///
/// ```swift
/// report.results[DeepCompressionResult.self]?.compressionRatio    // e.g. 10.4
/// ```
public struct DeepCompressionResult: MethodResult {
    /// Bytes of the dense float32 weights (`dense_bytes`).
    public var denseBytes: Int
    /// Bytes of the compressed format (`compressed_bytes`).
    public var compressedBytes: Int
    /// dense / compressed (`compression_ratio`).
    public var compressionRatio: Double

    /// A result.
    public init(denseBytes: Int, compressedBytes: Int, compressionRatio: Double) {
        (self.denseBytes, self.compressedBytes, self.compressionRatio) = (denseBytes, compressedBytes, compressionRatio)
    }

    enum CodingKeys: String, CodingKey {
        case denseBytes = "dense_bytes", compressedBytes = "compressed_bytes", compressionRatio = "compression_ratio"
    }
}
