import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining

/// SPP's pruning phase as a training hook (Wang et al., BMVC 2018; spp.md "Algorithm"). Per iteration t (0-based
/// `iterations` = t - 1), for every layer not yet finished:
///
///     beforeIteration:     if (t - 1) % T == 0: scores on the unmasked weights, ranks, p += Delta(r), P grows
///                          draw m (one uniform per column), back up W, W <- W * m      (forward and backward see W * m)
///     afterBackward:       dL/dW <- dL/dW * m, W <- backup                             (the optimizer then adds
///                                                                                       weight decay and momentum)
///     afterOptimizerStep:  columns in P back to exactly 0; stop when every layer is finished or at `iterationLimit`
///
/// A finished layer (|P| >= ceil(R N_g)) keeps only P masked: no draws, no updates. With `rescalesAtFinish` the
/// surviving columns are multiplied by 1 - p_j when the layer finishes (the 2017 code's `CleanWorkForPP`).
/// Draws come from one `SplitMix64` seeded explicitly: the same seed gives the same masks.
///
/// ```swift
/// let hook = ProbabilisticColumnHook(layers: [layer], increment: ProbabilityIncrement(maximum: 0.05, symmetry: 0.25),
///                                    interval: 1, scoreDecay: 0, seed: 7)
/// trainer.hooks.append(hook)
/// ```
public final class ProbabilisticColumnHook: TrainingHook {
    /// The pruned convolutions.
    public let layers: [ProbabilisticColumnLayer]
    /// Delta(r) (A, u, linear or exponential).
    public let increment: ProbabilityIncrement
    /// T, iterations between probability updates (>= 1).
    public let interval: Int
    /// d, the score history decay.
    public let scoreDecay: Double
    /// Multiply survivors by 1 - p_j when a layer finishes.
    public let rescalesAtFinish: Bool
    /// Stop after this many iterations (nil: only when every layer is finished or the epochs run out).
    public let iterationLimit: Int?
    /// The mask generator's state.
    public private(set) var generator: SplitMix64
    /// Iterations run.
    public private(set) var iterations = 0
    /// Unmasked weights of the current iteration, by parameter name (empty outside forward/backward).
    private var backups: [String: Tensor] = [:]

    /// A hook over `layers`; masks are drawn from `SplitMix64(seed: seed)`.
    public init(layers: [ProbabilisticColumnLayer], increment: ProbabilityIncrement, interval: Int, scoreDecay: Double,
                rescalesAtFinish: Bool = false, iterationLimit: Int? = nil, seed: UInt64) {
        (self.layers, self.increment, self.interval, self.scoreDecay) = (layers, increment, max(interval, 1), scoreDecay)
        (self.rescalesAtFinish, self.iterationLimit, generator) = (rescalesAtFinish, iterationLimit, SplitMix64(seed: seed))
    }

    /// The unmasked weight `name` while W * m is swapped in (between `beforeIteration` and `afterBackward`), else nil.
    func unmaskedWeight(named name: String) -> Tensor? { backups[name] }

    /// Whether every layer has reached its target.
    public var isFinished: Bool { layers.allSatisfy(\.isFinished) }

    /// Updates probabilities when due, draws the masks, and swaps W * m in.
    public func beforeIteration(_ context: TrainingContext) throws {
        let weights = try Self.weights(of: layers, in: context.model)
        for (layer, weight) in zip(layers, weights) {
            if !layer.isFinished && iterations % interval == 0 { try update(layer, weight) }
            layer.sampleMask(generator: &generator)
            backups[layer.parameterName] = weight.value
            weight.value = layer.scaledColumns(weight.value, by: layer.mask)
        }
    }

    /// Masks the loss gradient and restores the unmasked weights.
    public func afterBackward(_ context: TrainingContext) throws {
        let weights = try Self.weights(of: layers, in: context.model)
        for (layer, weight) in zip(layers, weights) {
            if let gradient = weight.gradient { weight.gradient = layer.scaledColumns(gradient, by: layer.mask) }
            if let backup = backups.removeValue(forKey: layer.parameterName) { weight.value = backup }
        }
    }

    /// P back to exactly 0 (weight decay and momentum may have moved it); counts the iteration and stops when done.
    public func afterOptimizerStep(_ context: TrainingContext) throws {
        let weights = try Self.weights(of: layers, in: context.model)
        for (layer, weight) in zip(layers, weights) where !layer.permanentOrder.isEmpty {
            weight.value = layer.scaledColumns(weight.value, by: layer.permanentMask)
        }
        iterations += 1
        if isFinished || iterations >= (iterationLimit ?? .max) { context.shouldStop = true }
    }

    /// One probability update of `layer` on `weight`'s current value; P zeroed; rescale when it finishes.
    func update(_ layer: ProbabilisticColumnLayer, _ weight: Variable) throws {
        let joined = layer.update(weight: weight.value, increment: increment, scoreDecay: scoreDecay)
        guard !joined.isEmpty else { return }
        weight.value = layer.scaledColumns(weight.value, by: layer.isFinished && rescalesAtFinish ? layer.keepProbabilities : layer.permanentMask)
    }

    /// Tops every unfinished layer up to its target (highest p, then lowest column L1 norm) and zeroes P in the
    /// weights; returns how many columns were added (the pruning budget ran out before the probabilities did).
    @discardableResult
    public func completeLayers(in model: Layer) throws -> Int {
        var added = 0
        for (layer, weight) in zip(layers, try Self.weights(of: layers, in: model)) where !layer.isFinished {
            added += layer.completeToTarget(norms: layer.columnNorms(of: weight.value))
            weight.value = layer.scaledColumns(weight.value, by: rescalesAtFinish ? layer.keepProbabilities : layer.permanentMask)
        }
        return added
    }

    /// The weight variable of every layer, in order; throws naming a missing one.
    static func weights(of layers: [ProbabilisticColumnLayer], in model: Layer) throws -> [Variable] {
        let parameters = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0) })
        return try layers.map { layer in
            guard let weight = parameters[layer.parameterName], weight.value.count == layer.outputChannels * layer.columnCount else {
                throw PruneKitError.invalidArgument(operation: "SPP", message: "no weight '\(layer.parameterName)' of \(layer.outputChannels) x \(layer.columnCount) entries")
            }
            return weight
        }
    }
}
