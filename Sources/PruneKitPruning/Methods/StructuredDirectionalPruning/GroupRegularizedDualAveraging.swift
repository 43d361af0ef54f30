import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Group regularized dual averaging (gRDA; Chao et al., "Directional Pruning of Deep Neural Networks", NeurIPS
/// 2020, `grda_pytorch.py`), in the group form sDprun uses (Li et al., "Structured Directional Pruning via
/// Perturbation Orthogonal Projection", arXiv:2107.05328; sdprun.md):
///
///     n <- n + 1
///     v <- v - lr_n * grad                                  (v starts at the initial weights w_0)
///     g <- g + c * lr_n^(mu + 1/2) * (n^mu - (n - 1)^mu)    (= c * sqrt(lr) * (n lr)^mu at constant lr)
///     w_G = v_G * max(0, 1 - g * s_G / ||v_G||_2)           (w_G = 0 when ||v_G|| = 0)
///
/// Weights are recomputed from the accumulator every step (dual averaging, not proximal SGD), so a zeroed group
/// can revive. Parameters outside every `GroupFamily` get threshold 0, i.e. plain SGD without momentum or weight
/// decay (w = v). A family lists parameters whose axis-0 slices form one group jointly (a conv filter and its
/// bias: `["conv1.weight", "conv1.bias"]`); `elementwise` makes every scalar its own group (official gRDA).
///
/// Shape contract: family members share their axis-0 extent N; each unit o is the union of slices [o, ...].
/// State: `<parameter>.accumulator` (the parameter's shape, so surgery slices it), `rda.step_count` and
/// `rda.threshold` ([1]).
///
/// ```swift
/// let solver = try GroupRegularizedDualAveraging(learningRate: 0.1, scale: 1e-2, exponent: 0.51,
///     families: [.init(parameterNames: ["conv1.weight", "conv1.bias"])])
/// var phase = TrainingPhase(name: "gRDA", config: recipe, optimizer: solver)
/// ```
public final class GroupRegularizedDualAveraging: Optimizer {
    /// s_G, the weight of a group's threshold.
    public enum GroupWeighting: String, Codable, Sendable {
        /// s_G = 1: a singleton group is exactly elementwise gRDA (sdprun.md [proposal] default).
        case unit
        /// s_G = sqrt(|G|), the group-lasso convention.
        case squareRootOfSize
    }

    /// Parameters thresholded together, one group per axis-0 index (or per scalar when `elementwise`).
    public struct GroupFamily: Equatable, Sendable {
        /// Parameter names; all share the axis-0 extent.
        public var parameterNames: [String]
        /// Every scalar is its own group (the official elementwise gRDA).
        public var elementwise: Bool

        /// A family of `parameterNames`.
        public init(parameterNames: [String], elementwise: Bool = false) {
            (self.parameterNames, self.elementwise) = (parameterNames, elementwise)
        }
    }

    /// lr_n, set by the trainer each iteration.
    public var learningRate: Float
    /// c, the scale of the threshold.
    public let scale: Double
    /// mu, the growth exponent of the threshold.
    public let exponent: Double
    /// s_G.
    public let weighting: GroupWeighting
    /// The grouped parameters.
    public let families: [GroupFamily]
    /// n, optimizer steps so far (never reset at epoch boundaries).
    public private(set) var stepCount = 0
    /// g, the accumulated threshold.
    public private(set) var threshold: Double = 0
    /// v by parameter name.
    public var accumulators: [String: Tensor] = [:]

    /// A solver; throws naming the argument when lr < 0, c < 0 or mu <= 0.
    public init(learningRate: Float, scale: Double, exponent: Double, weighting: GroupWeighting = .unit,
                families: [GroupFamily] = []) throws {
        guard learningRate >= 0, scale >= 0, exponent > 0 else {
            throw PruneKitError.invalidArgument(operation: "gRDA", message: "expected lr >= 0, c >= 0, mu > 0; found lr \(learningRate), c \(scale), mu \(exponent)")
        }
        (self.learningRate, self.scale, self.exponent, self.weighting, self.families) = (learningRate, scale, exponent, weighting, families)
    }

    /// The threshold increment of step n at rate lr: c lr^(mu+1/2) (n^mu - (n-1)^mu).
    public static func thresholdIncrement(scale: Double, exponent: Double, learningRate: Double, step: Int) -> Double {
        let n = Double(step)
        return scale * pow(learningRate, exponent + 0.5) * (pow(n, exponent) - pow(n - 1, exponent))
    }

    /// max(0, 1 - threshold / ||v_G||), and 0 when ||v_G|| = 0: w_G = factor v_G. v = (3, 4), g = 2 -> 0.6.
    public static func shrinkFactor(norm: Double, threshold: Double) -> Float {
        norm == 0 ? 0 : Float(max(0, 1 - threshold / norm))
    }

    /// One gRDA step over every parameter with a gradient.
    public func step(_ parameters: [Variable]) {
        stepCount += 1
        threshold += Self.thresholdIncrement(scale: scale, exponent: exponent, learningRate: Double(learningRate), step: stepCount)
        var updated: [String: Variable] = [:]
        for parameter in parameters {
            guard let gradient = parameter.gradient else { continue }
            accumulate(parameter, gradient)
            parameter.value = accumulators[parameter.name]!
            updated[parameter.name] = parameter
        }
        for family in families {
            let members = family.parameterNames.compactMap { updated[$0] }
            guard members.count == family.parameterNames.count else { continue }
            shrink(members, elementwise: family.elementwise)
        }
    }

    /// v -= lr * grad (v = w_0 on first sight or after a shape change not made by surgery).
    private func accumulate(_ parameter: Variable, _ gradient: Tensor) {
        var accumulator = accumulators.removeValue(forKey: parameter.name) ?? parameter.value
        if accumulator.shape != parameter.shape { accumulator = parameter.value }
        let lr = learningRate, g = gradient.storage.pointer
        accumulator.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count { v[i] -= lr * (g[i] + 0) }  // "+ 0" mirrors SGD's g + wd*w with wd = 0
        }
        accumulators[parameter.name] = accumulator
    }

    /// w_G = v_G max(0, 1 - g s_G / ||v_G||) for each unit of the family (weights already hold v).
    private func shrink(_ members: [Variable], elementwise: Bool) {
        let units = elementwise ? members[0].value.count : members[0].shape[0]
        let rows = members.map { $0.value.count / max(units, 1) }
        let size = Double(rows.reduce(0, +))
        let groupScale = weighting == .unit ? 1 : size.squareRoot()
        for unit in 0..<units {
            var squares = 0.0
            for (member, row) in zip(members, rows) {
                member.value.withUnsafeBufferPointer { w in for i in unit * row..<(unit + 1) * row { squares += Double(w[i]) * Double(w[i]) } }
            }
            let norm = squares.squareRoot()
            let factor = Self.shrinkFactor(norm: norm, threshold: threshold * groupScale)
            guard factor != 1 else { continue }
            for (member, row) in zip(members, rows) {
                member.value.withUnsafeMutableBufferPointer { w in for i in unit * row..<(unit + 1) * row { w[i] *= factor } }
            }
        }
    }

    /// Accumulators, step count and threshold.
    public func stateTensors() -> [String: Tensor] {
        var state = Dictionary(uniqueKeysWithValues: accumulators.map { ($0.key + ".accumulator", $0.value) })
        state["rda.step_count"] = Tensor(repeating: Float(stepCount), shape: [1])
        state["rda.threshold"] = Tensor(repeating: Float(threshold), shape: [1])
        return state
    }

    /// Restores `stateTensors()`; throws naming an unknown key.
    public func loadStateTensors(_ tensors: [String: Tensor]) throws {
        var loaded: [String: Tensor] = [:]
        for (key, tensor) in tensors {
            switch key {
            case "rda.step_count": stepCount = Int(tensor.scalars[0])
            case "rda.threshold": threshold = Double(tensor.scalars[0])
            case _ where key.hasSuffix(".accumulator"): loaded[String(key.dropLast(".accumulator".count))] = tensor
            default: throw PruneKitError.invalidArgument(operation: "gRDA.loadStateTensors", message: "unknown state '\(key)'")
            }
        }
        accumulators = loaded
    }
}
