import Foundation
import PruneKitCore

/// One convolution's SPP state (spp.md "State per prunable layer", Wang et al. BMVC 2018): the weight [OC, C, K, K]
/// viewed as the im2col matrix [OC, N_g], N_g = C K K, column j = c K K + tap (one input channel at one kernel
/// position, across all filters). Per column: pruning probability p_j, score history h_j, membership of the
/// permanent set P (p_j reached 1, weights 0 for good) and this iteration's Monte Carlo mask m_j.
///
/// Legend: OC output channels (rows), N_g columns per row; a flat weight index is o N_g + j.
///
/// ```swift
/// let layer = ProbabilisticColumnLayer(name: "conv2", outputChannels: 16, columnCount: 144, target: 72)
/// layer.update(weight: conv.weight.value, increment: increment, scoreDecay: 0)
/// layer.sampleMask(generator: &generator)
/// ```
public final class ProbabilisticColumnLayer {
    /// The convolution's name (its weight is `name.weight`).
    public let name: String
    /// OC, rows of the im2col matrix.
    public let outputChannels: Int
    /// N_g = C K K.
    public let columnCount: Int
    /// ceil(R N_g), at most N_g - 1: the layer is finished once |P| reaches it.
    public let target: Int
    /// p_j in [0, 1], [N_g].
    public internal(set) var probabilities: [Double]
    /// h_j <- d h_j + s_j, s_j = sum_i |W_ij| (d = 0: the plain column L1 norm), [N_g].
    public internal(set) var scores: [Double]
    /// Whether column j is in P, [N_g].
    public internal(set) var isPermanent: [Bool]
    /// P in the order columns joined it.
    public internal(set) var permanentOrder: [Int] = []
    /// This iteration's mask m_j in {0, 1}, [N_g] (1 everywhere before the first draw).
    public internal(set) var mask: [Float]
    /// Probability updates run.
    public internal(set) var updates = 0

    /// p >= 1 - 1e-6 counts as 1 (spp.md pitfall: 20 steps of 0.05 may end at 0.9999999).
    public static let certainty = 1 - 1e-6

    /// A layer with p = 0 everywhere, P empty; `target` is clamped to 0...N_g - 1 (one column always survives).
    public init(name: String, outputChannels: Int, columnCount: Int, target: Int) {
        (self.name, self.outputChannels, self.columnCount) = (name, outputChannels, columnCount)
        self.target = min(max(target, 0), columnCount - 1)
        probabilities = Array(repeating: 0, count: columnCount)
        scores = probabilities
        isPermanent = Array(repeating: false, count: columnCount)
        mask = Array(repeating: 1, count: columnCount)
    }

    /// The weight's name.
    public var parameterName: String { name + ".weight" }

    /// |P| >= ceil(R N_g): from now on only P is masked, no sampling, no updates (spp.md step 6).
    public var isFinished: Bool { permanentOrder.count >= target }

    /// G = ceil(R N_g) - |P|, the columns still to prune.
    public var remaining: Int { target - permanentOrder.count }

    /// s_j = sum_i |W_ij| of `weight` [OC, N_g] for every column.
    public func columnNorms(of weight: Tensor) -> [Double] {
        var norms = [Double](repeating: 0, count: columnCount)
        weight.withUnsafeBufferPointer { w in
            for row in 0..<outputChannels {
                for column in 0..<columnCount { norms[column] += Double(abs(w[row * columnCount + column])) }
            }
        }
        return norms
    }

    /// spp.md steps 1-3 on the current (unmasked) `weight`: scores, ranks over the unpruned columns (ascending score,
    /// ties by index), p_j <- clip(p_j + Delta(r_j), 0, 1), and columns reaching 1 join P in rank order. Returns the
    /// columns that joined. Does nothing once finished (G <= 0).
    @discardableResult
    public func update(weight: Tensor, increment: ProbabilityIncrement, scoreDecay: Double) -> [Int] {
        guard !isFinished else { return [] }
        let norms = columnNorms(of: weight)
        let alive = (0..<columnCount).filter { !isPermanent[$0] }
        for column in alive { scores[column] = scoreDecay * scores[column] + norms[column] }
        let ranked = alive.sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
        let remaining = self.remaining
        var joined: [Int] = []
        for (rank, column) in ranked.enumerated() {
            let updated = min(max(probabilities[column] + increment.delta(rank: Double(rank), remaining: remaining), 0), 1)
            probabilities[column] = updated >= Self.certainty ? 1 : updated
            if probabilities[column] == 1 { joined.append(column) }
        }
        for column in joined { makePermanent(column) }
        updates += 1
        return joined
    }

    /// Adds `column` to P with p = 1 (its mask becomes 0).
    func makePermanent(_ column: Int) {
        guard !isPermanent[column] else { return }
        (isPermanent[column], probabilities[column], mask[column]) = (true, 1, 0)
        permanentOrder.append(column)
    }

    /// spp.md step 4: one uniform xi_j in [0, 1) per unpruned column, m_j = 1 if xi_j < 1 - p_j else 0, in column
    /// order; P is 0. A finished layer draws nothing: m = 1 outside P.
    public func sampleMask(generator: inout SplitMix64) {
        for column in 0..<columnCount {
            if isPermanent[column] { mask[column] = 0; continue }
            if isFinished { mask[column] = 1; continue }
            mask[column] = generator.nextUniform() < Float(1 - probabilities[column]) ? 1 : 0
        }
    }

    /// `tensor` [OC, N_g] with every column j multiplied by `factors[j]` (a new tensor).
    public func scaledColumns(_ tensor: Tensor, by factors: [Float]) -> Tensor {
        var result = tensor
        result.withUnsafeMutableBufferPointer { w in
            for row in 0..<outputChannels {
                for column in 0..<columnCount { w[row * columnCount + column] *= factors[column] }
            }
        }
        return result
    }

    /// 1 outside P, 0 in P, [N_g].
    public var permanentMask: [Float] { isPermanent.map { $0 ? 0 : 1 } }

    /// The 2017 code's `CleanWorkForPP` factors: 1 - p_j for columns outside P, 0 in P.
    public var keepProbabilities: [Float] { (0..<columnCount).map { isPermanent[$0] ? 0 : Float(1 - probabilities[$0]) } }

    /// At the end of a pruning budget: adds unpruned columns to P, highest p first, then lowest score, then lowest
    /// index, until |P| = ceil(R N_g). Returns how many were added.
    @discardableResult
    func completeToTarget(norms: [Double]) -> Int {
        let order = (0..<columnCount).filter { !isPermanent[$0] }.sorted { a, b in
            if probabilities[a] != probabilities[b] { return probabilities[a] > probabilities[b] }
            return norms[a] != norms[b] ? norms[a] < norms[b] : a < b
        }
        let added = Array(order.prefix(max(remaining, 0)))
        for column in added { makePermanent(column) }
        return added.count
    }
}
