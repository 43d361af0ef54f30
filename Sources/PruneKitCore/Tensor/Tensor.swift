import Foundation

/// Reference-counted, 64-byte aligned Float32 storage behind a `Tensor`.
///
/// Kernels take its pointer once and loop over raw memory; this avoids the per-element exclusivity
/// checks that a `var [Float]` inside a class pays (../shared/SWIFT-BLAS.md §6).
public final class TensorStorage {
    /// Start of `count` contiguous floats.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int

    /// Allocates `count` floats, uninitialised unless `zeroed`. Buffers of 128 KiB and more come from
    /// `BufferPool` (recycled by size, outside malloc's heap).
    public init(count: Int, zeroed: Bool = true) {
        self.count = count
        pointer = BufferPool.allocate(floats: count)
        if zeroed { pointer.initialize(repeating: 0, count: count) }
    }

    /// `init(count:zeroed:)`, but throws `allocationFailed` naming `purpose` and the byte count instead of
    /// trapping when the memory cannot be had (for sizes that come from input files).
    init(allocating count: Int, zeroed: Bool, purpose: String) throws {
        guard let pointer = BufferPool.allocateIfPossible(floats: count) else {
            let bytes = count.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
            throw PruneKitError.allocationFailed(purpose: purpose, bytes: bytes.overflow ? "\(count) x 4" : "\(bytes.partialValue)",
                                                 reason: String(cString: strerror(errno)))
        }
        self.count = count
        self.pointer = pointer
        if zeroed { pointer.initialize(repeating: 0, count: count) }
    }

    deinit { BufferPool.deallocate(pointer, floats: count) }

    @usableFromInline func copy() -> TensorStorage {
        let result = TensorStorage(count: count, zeroed: false)
        result.pointer.update(from: pointer, count: count)
        return result
    }
}

/// A dense Float32 array of any rank, contiguous and row-major; images are NCHW.
///
/// Value semantics with copy-on-write: `var b = a; b[0] = 1` never changes `a`. Inside kernels, take
/// the buffer once with `withUnsafeMutableBufferPointer` (which copies only if the storage is shared).
///
/// ```swift
/// var x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// x[1, 2] = 7            // row-major: element (1, 2) is scalar 5
/// ```
public struct Tensor: CustomStringConvertible {
    /// Extent of each axis; an empty shape is a scalar with one element.
    public private(set) var shape: [Int]
    @usableFromInline package var storage: TensorStorage

    /// Number of elements, the product of `shape`.
    public var count: Int { storage.count }
    /// Number of axes.
    public var rank: Int { shape.count }

    /// A tensor of zeros (or uninitialised memory when `zeroed` is false: only for outputs a kernel
    /// overwrites completely).
    public init(zeros shape: [Int], zeroed: Bool = true) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative extent")
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *), zeroed: zeroed)
    }

    /// A tensor of zeros (uninitialised unless `zeroed`) that throws instead of trapping when the shape has a
    /// negative extent, its element count overflows `Int`, or the memory cannot be had: `allocationFailed`
    /// naming `purpose`, the bytes and the system's reason. For sizes chosen by input files (checkpoint
    /// tensors, models built from a spec); `init(zeros:)` stays non-throwing for the ops' hot paths.
    ///
    /// ```swift
    /// let weight = try Tensor(allocating: [500, 800], purpose: "fc1.weight")
    /// ```
    public init(allocating shape: [Int], zeroed: Bool = true, purpose: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw PruneKitError.invalidArgument(operation: purpose, message: "tensor shape \(shape) has a negative extent")
        }
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw PruneKitError.allocationFailed(purpose: purpose, bytes: "4 x \(shape.map(String.init).joined(separator: " x "))",
                                                     reason: "the element count overflows Int")
            }
            count = product
        }
        self.shape = shape
        storage = try TensorStorage(allocating: count, zeroed: zeroed, purpose: purpose)
    }

    /// A tensor holding `scalars` in row-major order; throws when the count does not match the shape.
    public init(shape: [Int], scalars: [Float]) throws {
        let expected = shape.reduce(1, *)
        guard expected == scalars.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw PruneKitError.shapeMismatch(operation: "Tensor(shape:scalars:)",
                                              expected: "\(expected) scalars for shape \(shape)",
                                              found: "\(scalars.count) scalars")
        }
        self.init(zeros: shape, zeroed: false)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: max(expected, 0)) }
    }

    /// A tensor whose every element is `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(zeros: shape, zeroed: false)
        storage.pointer.update(repeating: value, count: count)
    }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// Reads the elements without copying.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Writes the elements in place, copying the storage first if another tensor shares it.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Same elements viewed with another shape of equal element count (shares storage).
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard newShape.reduce(1, *) == count, newShape.allSatisfy({ $0 >= 0 }) else {
            throw PruneKitError.shapeMismatch(operation: "reshape", expected: "\(count) elements",
                                              found: "shape \(newShape) with \(newShape.reduce(1, *)) elements")
        }
        var result = self
        result.shape = newShape
        return result
    }

    /// Row-major offset of a multi-index.
    @inlinable
    func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var offset = 0
        for axis in 0..<shape.count {
            precondition(index[axis] >= 0 && index[axis] < shape[axis], "index \(index) out of range for \(shape)")
            offset = offset * shape[axis] + index[axis]
        }
        return offset
    }

    /// Element access by multi-index (slow path for tests and setup code, not for kernels).
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[offset(index)] }
        set { let o = offset(index); withUnsafeMutableBufferPointer { $0[o] = newValue } }
    }

    /// Element access by flat row-major index.
    public subscript(flat index: Int) -> Float {
        get { precondition(index >= 0 && index < count); return storage.pointer[index] }
        set { precondition(index >= 0 && index < count); withUnsafeMutableBufferPointer { $0[index] = newValue } }
    }

    /// Shape and the first 8 elements (`%.4g`), "..." when there are more: `Tensor([2, 3]: [1, 2, 3, 4, 5, 6])`.
    public var description: String {
        let shown = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}

extension Tensor: Equatable {
    /// Bitwise-equal shapes and elements (NaN != NaN).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in
            zip(a, b).allSatisfy { $0 == $1 } } }
    }
}
