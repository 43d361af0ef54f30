import PruneKitCore

/// One named entry of a safetensors file: a Float32 tensor or an Int64 array.
///
/// Shape contract: `shape` is row-major with non-negative extents; `[]` is a scalar holding one element
/// and any zero extent makes an empty entry. For `.int64`, `values.count` must equal the product of
/// `shape` (the writer checks and throws otherwise).
///
/// ```swift
/// let entries: [(name: String, value: SafeTensorsValue)] = [
///     ("bn1.running_mean", .float32(Tensor(zeros: [16]))),
///     ("bn1.num_batches_tracked", .int64Scalar(390)),
/// ]
/// ```
///
/// Equality compares dtype, shape and values (Float32 with `==`, so NaN entries never compare equal;
/// compare `bitPattern`s for bit-exactness).
public enum SafeTensorsValue: Equatable {
    /// A Float32 tensor, stored as dtype `F32`.
    case float32(Tensor)
    /// Int64 values in row-major order with their shape, stored as dtype `I64`.
    case int64(shape: [Int], values: [Int64])

    /// A 0-d `I64` entry (shape `[]`), as PyTorch stores BatchNorm's `num_batches_tracked`.
    public static func int64Scalar(_ value: Int64) -> SafeTensorsValue {
        .int64(shape: [], values: [value])
    }

    /// The header `dtype` this entry is written with.
    public var dataType: SafeTensorsDataType {
        switch self {
        case .float32: return .float32
        case .int64: return .int64
        }
    }

    /// Extent of each axis; `[]` for a scalar.
    public var shape: [Int] {
        switch self {
        case let .float32(tensor): return tensor.shape
        case let .int64(shape, _): return shape
        }
    }

    /// Number of stored elements (`values.count` for `.int64`, `tensor.count` for `.float32`).
    public var elementCount: Int {
        switch self {
        case let .float32(tensor): return tensor.count
        case let .int64(_, values): return values.count
        }
    }

    /// Size of the entry's data in the byte buffer.
    public var byteCount: Int { elementCount * dataType.byteSize }

    /// The tensor of a `.float32` entry, or nil for `.int64`.
    public var float32Tensor: Tensor? {
        if case let .float32(tensor) = self { return tensor }
        return nil
    }

    /// The values of an `.int64` entry in row-major order, or nil for `.float32`.
    public var int64Values: [Int64]? {
        if case let .int64(_, values) = self { return values }
        return nil
    }
}
