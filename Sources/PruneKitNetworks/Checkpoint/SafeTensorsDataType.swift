import PruneKitCore

/// An element type PruneKit reads and writes in safetensors files; the raw value is the header's `dtype`.
///
/// Only two are needed: `F32` for every parameter and running statistic, and `I64` for BatchNorm's
/// `num_batches_tracked` (a 0-d int64 tensor in PyTorch). Other safetensors types (`F16`, `BF16`, `F64`,
/// `I32`, ...) are recognised by name and rejected with a message saying so.
///
/// ```swift
/// SafeTensorsDataType(rawValue: "F32")   // .float32
/// SafeTensorsDataType.int64.byteSize     // 8
/// ```
public enum SafeTensorsDataType: String, CaseIterable, Sendable {
    /// IEEE 754 binary32, little-endian (`torch.float32`).
    case float32 = "F32"
    /// Two's-complement 64-bit signed integer, little-endian (`torch.int64`).
    case int64 = "I64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .int64: return 8
        }
    }

    /// Every dtype name the safetensors specification defines that PruneKit does not support; a header
    /// using one of these is valid safetensors but cannot be loaded here.
    static let unsupportedNames: Set<String> = [
        "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2",
        "I16", "U16", "F16", "BF16", "I32", "U32", "F64", "U64", "C64",
    ]
}
