import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Deep Compression's trained quantisation of one weight tensor (Han, Mao and Dally, ICLR 2016, section 3): the
/// surviving (unmasked) weights are clustered by 1-D k-means into k = 2^bits centroids, initialised linearly
/// between the smallest and largest weight; each weight is replaced by its centroid (w = C[I]). Fine-tuning
/// updates the centroids with dL/dC_k = sum_ij dL/dW_ij 1[I_ij = k] while the assignments stay fixed.
///
/// Compression of the sharing alone (n weights of b bits, k clusters): r = n b / (n log2 k + k b).
///
/// ```swift
/// let sharing = WeightSharing(weights: conv.weight.value, mask: mask, bits: 8)
/// conv.weight.value = sharing.reconstructed()
/// ```
public struct WeightSharing: Equatable {
    /// Shape of the tensor.
    public let shape: [Int]
    /// Flat indices of the surviving weights, ascending.
    public let positions: [Int]
    /// Cluster of each surviving weight (same order as `positions`).
    public let assignments: [Int]
    /// The k centroids.
    public var centroids: [Float]

    /// Clusters the weights where `mask` is 1 (all weights when nil) into 2^bits centroids.
    public init(weights: Tensor, mask: Tensor?, bits: Int, iterations: Int = 30) {
        let values = weights.scalars, keep = mask?.scalars
        positions = values.indices.filter { (keep?[$0] ?? 1) != 0 }
        shape = weights.shape
        let kept = positions.map { values[$0] }
        let (centroids, assignments) = Self.cluster(kept, count: 1 << bits, iterations: iterations)
        self.centroids = centroids
        self.assignments = assignments
    }

    /// Linear initialisation: k points evenly spaced from min to max (one point at min when k = 1).
    public static func linearCentroids(_ values: [Float], count: Int) -> [Float] {
        guard let low = values.min(), let high = values.max() else { return [Float](repeating: 0, count: count) }
        guard count > 1 else { return [low] }
        return (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    /// 1-D k-means (Lloyd) from the linear initialisation; returns centroids and each value's cluster.
    public static func cluster(_ values: [Float], count: Int, iterations: Int) -> ([Float], [Int]) {
        var centroids = linearCentroids(values, count: count), assignments = [Int](repeating: 0, count: values.count)
        for _ in 0..<max(iterations, 1) {
            let sortedIndices = centroids.indices.sorted { centroids[$0] < centroids[$1] }
            let sorted = sortedIndices.map { centroids[$0] }
            for (index, value) in values.enumerated() { assignments[index] = sortedIndices[nearest(value, in: sorted)] }
            var sums = [Double](repeating: 0, count: count), counts = [Int](repeating: 0, count: count)
            for (value, cluster) in zip(values, assignments) { sums[cluster] += Double(value); counts[cluster] += 1 }
            let updated = centroids.indices.map { counts[$0] > 0 ? Float(sums[$0] / Double(counts[$0])) : centroids[$0] }
            if updated == centroids { break }
            centroids = updated
        }
        return (centroids, assignments)
    }

    /// Index of the closest entry of ascending `sorted` to `value` (binary search).
    static func nearest(_ value: Float, in sorted: [Float]) -> Int {
        var (low, high) = (0, sorted.count - 1)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        if low > 0, abs(sorted[low - 1] - value) <= abs(sorted[low] - value) { return low - 1 }
        return low
    }

    /// The dense tensor: C[I] at the surviving positions, 0 elsewhere.
    public func reconstructed() -> Tensor {
        var result = Tensor(zeros: shape)
        result.withUnsafeMutableBufferPointer { w in
            for (position, cluster) in zip(positions, assignments) { w[position] = centroids[cluster] }
        }
        return result
    }

    /// dL/dC_k = sum of the gradients of the weights assigned to k.
    public func centroidGradients(_ gradient: Tensor) -> [Float] {
        var result = [Float](repeating: 0, count: centroids.count)
        gradient.withUnsafeBufferPointer { g in
            for (position, cluster) in zip(positions, assignments) { result[cluster] += g[position] }
        }
        return result
    }

    /// r = n b / (n log2 k + k b): storage of n b-bit weights over n log2(k)-bit indices plus the codebook.
    public static func compressionRate(weightCount n: Int, clusterCount k: Int, bits b: Int = 32) -> Double {
        Double(n * b) / (Double(n) * Foundation.log2(Double(k)) + Double(k * b))
    }
}
