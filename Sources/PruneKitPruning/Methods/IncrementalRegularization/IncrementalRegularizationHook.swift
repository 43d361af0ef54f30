import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// IncReg's training-time regulariser (Wang et al., "Structured Pruning for Efficient ConvNets via Incremental
/// Regularization", IJCNN 2019, arXiv:1804.09461; `Regularize` in the official Caffe `sgd_solver.cpp`, scheme 1).
/// Every iteration, per layer with N groups (filters or im2col columns) of which `target` must go:
///
///     s_g = sum |w| over group g (unpruned groups; pruned ones rank first)  ->  rank r_g
///     rbar_g <- ((n - 1) rbar_g + r_g) / n,  n = global iteration + 1;  j = position by rbar among the unpruned
///     K = target - pruned,  lambda_g <- max(lambda_g + increment(j, K), 0),  grad_g += lambda_g w_g
///     lambda_g >= ceiling  ->  group g is masked (weights and gradients exactly 0 from now on)
///
/// A layer stops regularising once `target` groups are masked; when all have, every surviving lambda is reset to
/// 0 and training stops (`context.shouldStop`), ending the stage.
///
/// Shape contract: `Layer.slices` is a one-member `UnitSlices` over the weight `parameterName`.
///
/// ```swift
/// let rows = UnitSlices(members: [.init(variable: conv.weight, layout: .init(axis: 0, of: conv.weight.shape),
///                                       channels: (0..<16).map { [$0] })], unitCount: 16)
/// let layer = IncrementalRegularizationHook.Layer(name: "conv1", slices: rows, target: 4)
/// let hook = IncrementalRegularizationHook(layers: [layer], unitIncrement: 2.5e-4, ceiling: 0.1226)
/// ```
public final class IncrementalRegularizationHook: TrainingHook {
    /// One regularised weight tensor and its groups' state.
    public final class Layer {
        /// Group (row mode) or layer (column mode) name.
        public let name: String
        /// The groups' entries in one weight tensor (a single-member view: filter rows or im2col columns).
        public let slices: UnitSlices
        /// The weight the groups live in.
        public var parameterName: String { slices.members[0].variable.name }
        /// Groups (N).
        public var unitCount: Int { slices.unitCount }
        /// Flat weight indices of each group, in element order.
        public var units: [[Int]] { (0..<unitCount).map { slices.members[0].indices(of: $0) } }
        /// Groups to remove, ceil(N R_l), at most N - 1.
        public let target: Int
        /// lambda_g, rbar_g and whether g is masked.
        public internal(set) var penalties: [Double], averageRanks: [Double], isPruned: [Bool]
        /// Groups in the order they reached the ceiling.
        public internal(set) var prunedOrder: [Int] = []

        /// A layer with zero penalties and ranks.
        public init(name: String, slices: UnitSlices, target: Int) {
            (self.name, self.slices) = (name, slices)
            self.target = min(max(target, 0), slices.unitCount - 1)
            penalties = Array(repeating: 0, count: slices.unitCount)
            averageRanks = penalties
            isPruned = Array(repeating: false, count: slices.unitCount)
        }

        /// Whether `target` groups are masked.
        public var isDone: Bool { prunedOrder.count >= target }
    }

    /// The regularised layers.
    public let layers: [Layer]
    /// A, the unit increment.
    public let unitIncrement: Double
    /// tau, the (effective) ceiling.
    public let ceiling: Double
    /// u, the shape parameter (0.25, hard-coded in the official code).
    public let shape: Double
    /// Iterations run.
    public private(set) var iterations = 0

    /// A hook over `layers`.
    public init(layers: [Layer], unitIncrement: Double, ceiling: Double, shape: Double = 0.25) {
        (self.layers, self.unitIncrement, self.ceiling, self.shape) = (layers, unitIncrement, ceiling, shape)
    }

    /// Delta(j) for K groups still to prune: A exp(-alpha j) below N_c = -ln(u)/alpha, 2uA - A exp(-alpha (2 N_c - j))
    /// from N_c on, alpha = ln(2/u)/K (increg.md step 5). Delta(0) = A, Delta(N_c) = uA, Delta(K) = 0, negative beyond K.
    public static func increment(rank j: Double, remaining K: Int, unit A: Double, shape u: Double = 0.25) -> Double {
        let alpha = log(2 / u) / Double(K), center = -log(u) / alpha
        return j < center ? A * exp(-alpha * j) : 2 * u * A - A * exp(-alpha * (2 * center - j))
    }

    /// The official code's effective ceiling: min(configured M(0.2), 10), M(x) = 3 (sigmoid(k (x - 0.05)) - 0.5) + 1,
    /// k = ln 3 / 0.04 (configured 2.5 -> 6.1301, 0.05 -> 0.1226).
    public static func effectiveCeiling(configured: Double) -> Double {
        let k = log(3.0) / 0.04, sigmoid = 1 / (1 + exp(-k * (0.2 - 0.05)))
        return min(configured * (3 * (sigmoid - 0.5) + 1), 10)
    }

    /// Updates penalties, masks groups at the ceiling, adds lambda w to the gradients and masks pruned gradients.
    public func afterBackward(_ context: TrainingContext) throws {
        let parameters = Dictionary(uniqueKeysWithValues: context.model.parameters.map { ($0.name, $0) })
        iterations += 1
        for layer in layers {
            guard let weight = parameters[layer.parameterName] else {
                throw PruneKitError.invalidArgument(operation: "IncReg", message: "layer '\(layer.name)': no parameter '\(layer.parameterName)'")
            }
            if !layer.isDone { update(layer, weight.value, n: context.globalIteration + 1) }
            guard weight.gradient != nil else { continue }
            // Pruned and penalised units are disjoint, so zeroing first and adding second is the same per entry.
            layer.slices.zero(units: layer.prunedOrder, in: .gradients)
            guard !layer.isDone else { continue }
            layer.slices.addPenaltyGradient(layer.penalties.indices.map { layer.isPruned[$0] ? 0 : Float(layer.penalties[$0]) },
                                            skipsMissingGradients: true)
        }
        if layers.allSatisfy(\.isDone) {
            for layer in layers { for unit in 0..<layer.unitCount where !layer.isPruned[unit] { layer.penalties[unit] = 0 } }
            context.shouldStop = true
        }
    }

    /// Pruned groups' weights back to exactly 0 (momentum may have moved them).
    public func afterOptimizerStep(_ context: TrainingContext) throws {
        for layer in layers { layer.slices.zero(units: layer.prunedOrder) }
    }

    /// Steps 3-7 of increg.md for one layer.
    func update(_ layer: Layer, _ weight: Tensor, n: Int) {
        let remaining = layer.target - layer.prunedOrder.count
        guard remaining > 0 else { return }
        let alive = (0..<layer.unitCount).filter { !layer.isPruned[$0] }
        let member = layer.slices.members[0]
        let scores = alive.map { unit in member.runningTotal(of: weight, unit: unit) { abs($0) } }
        let byScore = alive.indices.sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
        for (position, index) in byScore.enumerated() {
            let unit = alive[index], rank = Double(layer.prunedOrder.count + position)
            layer.averageRanks[unit] = (Double(n - 1) * layer.averageRanks[unit] + rank) / Double(n)
        }
        let byAverage = alive.sorted { layer.averageRanks[$0] != layer.averageRanks[$1] ? layer.averageRanks[$0] < layer.averageRanks[$1] : $0 < $1 }
        for (j, unit) in byAverage.enumerated() {
            let delta = Self.increment(rank: Double(j), remaining: remaining, unit: unitIncrement, shape: shape)
            layer.penalties[unit] = max(layer.penalties[unit] + delta, 0)
        }
        for unit in byAverage where layer.penalties[unit] >= ceiling && !layer.isDone {
            layer.isPruned[unit] = true
            layer.prunedOrder.append(unit)
        }
    }
}
