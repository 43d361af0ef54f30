import Foundation

// Legend: N images (the first axis).

extension Tensor {
    /// Images `range` of a [N, ...] tensor, copied: shape [range.count, ...].
    public func images(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "images \(range) of \(shape)")
        let perImage = shape.dropFirst().reduce(1, *)
        var result = Tensor(zeros: [range.count] + shape.dropFirst(), zeroed: false)
        result.withUnsafeMutableBufferPointer { target in
            target.baseAddress!.update(from: storage.pointer + range.lowerBound * perImage, count: range.count * perImage)
        }
        return result
    }

    /// [sum of N_i, ...] from tensors [N_i, ...] that agree past the first axis, in order.
    public init(concatenatingImages pieces: [Tensor]) throws {
        guard let first = pieces.first else {
            throw PruneKitError.invalidArgument(operation: "Tensor(concatenatingImages:)", message: "no tensors to concatenate")
        }
        let tail = Array(first.shape.dropFirst())
        for piece in pieces where Array(piece.shape.dropFirst()) != tail {
            throw PruneKitError.shapeMismatch(operation: "Tensor(concatenatingImages:)", expected: "[N] + \(tail)", found: "\(piece.shape)")
        }
        self.init(zeros: [pieces.reduce(0) { $0 + $1.shape[0] }] + tail, zeroed: false)
        withUnsafeMutableBufferPointer { target in
            var offset = 0
            for piece in pieces {
                target.baseAddress!.advanced(by: offset).update(from: piece.storage.pointer, count: piece.count)
                offset += piece.count
            }
        }
    }

    /// The mirror image along the last axis: result[..., x] = self[..., W - 1 - x], same shape ([N, C, H, W] images
    /// flipped left-right, the test-time flip of fast CIFAR recipes).
    public func mirroredHorizontally() -> Tensor {
        precondition(rank >= 1, "mirroredHorizontally needs at least one axis, got \(shape)")
        let width = shape[rank - 1]
        var result = Tensor(zeros: shape, zeroed: false)
        result.withUnsafeMutableBufferPointer { target in
            let (source, output) = (storage.pointer, target.baseAddress!)
            for row in stride(from: 0, to: count, by: max(width, 1)) {
                for x in 0..<width { output[row + x] = source[row + width - 1 - x] }
            }
        }
        return result
    }
}
