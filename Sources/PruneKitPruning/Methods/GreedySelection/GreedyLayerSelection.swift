import PruneKitCore

/// The selection loop for one layer (greedy.md, "Algorithm (per layer l, code semantics)"), over abstract
/// evaluations so that it can be tested on any function:
/// 1. acc0 = D_eval top-1 of the current network (gates all 1).
/// 2. a = 0, S = {}. Repeat: take a fresh training batch; sample min(K, |P \ S|) candidates from P \ S without
///    replacement; for each j evaluate the batch loss with a' = (1 - eta) a + eta e_j, eta = 1/(|S| + 1); add the
///    argmin (first on ties). If |S| = |P| restore a = 1/|P| over P ("all added") and stop. Else, with the new a,
///    if batch top-1 >= (1 - beta) acc0, evaluate D_eval and stop when its top-1 >= (1 - tau) acc0.
///    [proposal] also stop when |S| reaches `maximumKept` (a target-size budget).
/// The multipliers passed to the closures are N * a per channel.
struct GreedyLayerSelection {
    /// What the loop needs from the network: loss and top-1 of the next training batch under given multipliers,
    /// and D_eval top-1 under given multipliers.
    struct Evaluations {
        /// Draws the next training batch (called once per addition).
        var nextBatch: () throws -> Void
        /// Mean loss of the current batch with these multipliers.
        var batchLoss: ([Float]) throws -> Float
        /// Top-1 of the current batch with these multipliers.
        var batchAccuracy: ([Float]) throws -> Float
        /// Top-1 on D_eval with these multipliers.
        var evaluationAccuracy: ([Float]) throws -> Float
        /// Mean losses of the current batch for several multiplier vectors at once (nil: `batchLoss` for each), so
        /// that an implementation can evaluate one addition's candidates in one batched, threaded pass.
        var batchLosses: (([[Float]]) throws -> [Float])? = nil

        /// The losses of `candidates`, in order.
        func losses(_ candidates: [[Float]]) throws -> [Float] {
            if let batchLosses { return try batchLosses(candidates) }
            return try candidates.map(batchLoss)
        }
    }

    /// What one layer's selection did.
    struct Outcome {
        /// The final gates (uniform 1/|S| over S).
        let gates: GreedyGateVector
        /// Whether every channel was added (the layer is kept whole, no fine-tune).
        let allAdded: Bool
        /// Batch-loss evaluations (forward passes over a training batch) spent.
        let candidateEvaluations: Int
        /// D_eval evaluations spent (including acc0).
        let evaluationPasses: Int
    }

    /// K.
    let candidateCount: Int
    /// tau, the relative top-1 tolerance.
    let tolerance: Double
    /// beta, the batch pre-check slack.
    let slack: Double
    /// Budget on |S| (nil: none).
    let maximumKept: Int?

    /// Runs the loop on a layer of `width` channels, drawing candidates from `generator`.
    func select(width: Int, evaluations: Evaluations, generator: inout SplitMix64) throws -> Outcome {
        let all = [Float](repeating: 1, count: width)
        let baseline = Double(try evaluations.evaluationAccuracy(all))
        var gates = GreedyGateVector(width: width), candidateEvaluations = 0, passes = 1
        let pool = Array(0..<width)
        while true {
            try evaluations.nextBatch()
            let remaining = pool.filter { !gates.selected.contains($0) }
            let candidates = Self.sample(min(candidateCount, remaining.count), from: remaining, &generator)
            var best: (channel: Int, loss: Float)?
            let losses = try evaluations.losses(candidates.map { GreedyGateVector.multipliers(of: gates.adding($0)) })
            candidateEvaluations += candidates.count
            for (channel, loss) in zip(candidates, losses) where best == nil || loss < best!.loss { best = (channel, loss) }
            gates.add(best!.channel)
            if gates.selected.count == width {
                gates.setUniform(over: pool)
                return Outcome(gates: gates, allAdded: true, candidateEvaluations: candidateEvaluations, evaluationPasses: passes)
            }
            if let maximumKept, gates.selected.count >= maximumKept { break }
            if Double(try evaluations.batchAccuracy(gates.multipliers)) >= (1 - slack) * baseline {
                passes += 1
                if Double(try evaluations.evaluationAccuracy(gates.multipliers)) >= (1 - tolerance) * baseline { break }
            }
        }
        return Outcome(gates: gates, allAdded: false, candidateEvaluations: candidateEvaluations, evaluationPasses: passes)
    }

    /// `count` elements of `pool` without replacement (partial Fisher-Yates), in draw order.
    static func sample(_ count: Int, from pool: [Int], _ generator: inout SplitMix64) -> [Int] {
        var items = pool
        for index in 0..<count {
            let pick = index + generator.nextInt(below: items.count - index)
            items.swapAt(index, pick)
        }
        return Array(items.prefix(count))
    }
}
