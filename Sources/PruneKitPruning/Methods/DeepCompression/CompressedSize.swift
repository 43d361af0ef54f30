import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Storage of a model in Deep Compression's format (Han et al., ICLR 2016): for each shared (quantised) weight
/// tensor, the relative sparse indices and the cluster indices are Huffman-coded separately, plus the codebook
/// (k 32-bit centroids) and the two code-length tables (one byte per symbol of each alphabet); a filler entry
/// gets its own symbol k in the cluster alphabet. Everything else (biases, BatchNorm, unshared weights) is stored
/// as 32-bit floats.
///
/// ```swift
/// let storage = CompressedSize.measure(model, sharing: sharing, indexBits: { $0.hasPrefix("fc") ? 5 : 8 })
/// storage.compressedBytes; storage.ratio          // e.g. 40x for LeNet-300-100 at 92% sparsity
/// ```
public struct CompressedSize: Equatable, Codable {
    /// 4 bytes per parameter.
    public var denseBytes: Int
    /// Bytes of the compressed format, rounded up.
    public var compressedBytes: Int
    /// denseBytes / compressedBytes.
    public var ratio: Double { compressedBytes == 0 ? 0 : Double(denseBytes) / Double(compressedBytes) }

    /// Measures `model` with `sharing[parameter name]` for the quantised tensors; `indexBits(parameter name)` is
    /// the relative-index field width (Han et al.: 8 for conv, 5 for fully connected layers).
    public static func measure(_ model: Model, sharing: [String: WeightSharing], indexBits: (String) -> Int) -> CompressedSize {
        var bits = 0, dense = 0
        for parameter in model.parameters {
            dense += 4 * parameter.value.count
            guard let shared = sharing[parameter.name] else { bits += 32 * parameter.value.count; continue }
            bits += sharedBits(shared, indexBits: indexBits(parameter.name))
        }
        return CompressedSize(denseBytes: dense, compressedBytes: (bits + 7) / 8)
    }

    /// Bits of one shared tensor: Huffman-coded gaps and cluster indices, codebook, code-length tables.
    static func sharedBits(_ shared: WeightSharing, indexBits: Int) -> Int {
        let entries = RelativeIndexEncoding.encode(shared.positions, bits: indexBits)
        let k = shared.centroids.count
        var clusters: [Int] = [], next = 0
        for entry in entries {
            if entry.isFiller { clusters.append(k) } else { clusters.append(shared.assignments[next]); next += 1 }
        }
        let gaps = entries.map(\.gap), gapAlphabet = 1 << indexBits
        let gapBits = HuffmanCode(symbols: gaps, alphabet: gapAlphabet).encodedBitCount(frequencies: frequencies(gaps, gapAlphabet))
        let clusterBits = HuffmanCode(symbols: clusters, alphabet: k + 1).encodedBitCount(frequencies: frequencies(clusters, k + 1))
        return gapBits + clusterBits + 32 * k + 8 * (gapAlphabet + k + 1)
    }

    private static func frequencies(_ symbols: [Int], _ alphabet: Int) -> [Int] {
        var result = [Int](repeating: 0, count: alphabet)
        for symbol in symbols { result[symbol] += 1 }
        return result
    }
}
