import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: O = product of the axes before `axis`, A = extent of `axis`, I = product of the axes after it.

/// Index selection along one axis: what surgery uses to cut channels out of weights, gradients, optimizer state
/// and masks.
extension Tensor {
    /// The sub-tensor holding only indices `kept` (ascending, in range) of `axis`; other axes unchanged.
    ///
    /// Shape: [..., A, ...] -> [..., kept.count, ...].
    ///
    /// ```swift
    /// let w = Tensor.ramp(shape: [4, 2])
    /// let rows = try w.keeping([0, 3], alongAxis: 0)   // [[0, 1], [6, 7]]
    /// ```
    public func keeping(_ kept: [Int], alongAxis axis: Int) throws -> Tensor {
        guard axis >= 0, axis < rank else {
            throw PruneKitError.invalidArgument(operation: "Tensor.keeping", message: "axis \(axis) out of range for shape \(shape)")
        }
        let extent = shape[axis]
        guard kept.allSatisfy({ $0 >= 0 && $0 < extent }), zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PruneKitError.invalidArgument(operation: "Tensor.keeping",
                                                message: "indices must be ascending and in 0..<\(extent) on axis \(axis) of \(shape)")
        }
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var newShape = shape
        newShape[axis] = kept.count
        var result = Tensor(zeros: newShape, zeroed: false)
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                var offset = 0
                for o in 0..<outer {
                    for index in kept {
                        let start = (o * extent + index) * inner  // source block [o, index, :]
                        for i in 0..<inner { target[offset + i] = source[start + i] }
                        offset += inner
                    }
                }
            }
        }
        return result
    }

    /// The sub-tensor without indices `removed` of `axis` (any order, duplicates ignored).
    public func removing(_ removed: Set<Int>, alongAxis axis: Int) throws -> Tensor {
        guard axis >= 0, axis < rank else {
            throw PruneKitError.invalidArgument(operation: "Tensor.removing", message: "axis \(axis) out of range for shape \(shape)")
        }
        return try keeping((0..<shape[axis]).filter { !removed.contains($0) }, alongAxis: axis)
    }
}
