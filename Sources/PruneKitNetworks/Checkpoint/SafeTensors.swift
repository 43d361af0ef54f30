import Foundation
import PruneKitCore

/// Reads and writes the Hugging Face safetensors format, so PyTorch can load PruneKit checkpoints with
/// `safetensors.torch.load_file` and the other way round.
///
/// Layout (all integers little-endian):
///
/// ```text
/// [ N: UInt64 ][ N bytes: UTF-8 JSON header, space-padded to a multiple of 8 ][ data buffer ]
/// header = {"__metadata__": {"key": "value", ...},
///           "conv1.weight": {"dtype": "F32", "shape": [16, 3, 3, 3], "data_offsets": [0, 1728]}, ...}
/// ```
///
/// `data_offsets` are `[begin, end)` byte offsets relative to the start of the data buffer. The writer
/// keeps the given entry order and packs the data with no gaps; it writes the JSON compactly, metadata
/// keys sorted, and omits `__metadata__` when there is none. (The reference writer instead sorts tensors
/// by dtype then name; both orders are valid and every reader, including this one, accepts either.)
/// The reader validates everything (see `SafeTensorsHeader`) and throws `PruneKitError.malformedFile`
/// naming the file instead of trapping on hostile input.
///
/// ```swift
/// try SafeTensors.write([("fc.weight", .float32(weight)), ("bn.num_batches_tracked", .int64Scalar(7))],
///                       metadata: ["architecture": "mlp"], to: "model.safetensors")
/// let file = try SafeTensors.read(path: "model.safetensors")
/// ```
public enum SafeTensors {
    /// Largest header accepted or written, in bytes (the reference implementation's limit).
    public static let maximumHeaderByteCount = 100_000_000

    /// The metadata key the header reserves for the string map.
    public static let metadataKey = "__metadata__"

    /// Encodes `entries` and writes them to `path` atomically (see `AtomicFile`): a crash leaves either
    /// the old file or the complete new one under `path`.
    ///
    /// Throws `invalidArgument` for invalid entries (see `encode`) and `fileError` naming the path when
    /// writing fails.
    public static func write(_ entries: [(name: String, value: SafeTensorsValue)], metadata: [String: String] = [:],
                             to path: String) throws {
        let data = try encode(entries, metadata: metadata)
        try AtomicFile.write(data, to: path)
    }

    /// Reads and validates the safetensors file at `path`.
    ///
    /// The file is memory-mapped (see `MappedFile`) and each tensor's bytes are copied once, straight
    /// into its own storage, so peak memory is about one copy of the data. Throws `fileError` naming the
    /// path when the file cannot be opened or mapped, and `malformedFile` naming it when the content is
    /// invalid.
    public static func read(path: String) throws -> SafeTensorsFile {
        try MappedFile.withBytes(path: path) { try decode(bytes: $0, path: path) }
    }
}
