import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: B blocks; alpha [B] the architecture logits, g [B] the sampled gates, s = sigmoid(alpha).

/// BPCP's block search as a training hook (Huang & Wang, "Multi-granularity pruning for deep residual networks",
/// JIFS 2020; `block_prune_v2.py` of the official code). Per block i a logit alpha_i (init 0, keep-probability 0.5)
/// and a gate g_i ~ Bernoulli(sigmoid(alpha_i)), drawn for every iteration from `generator`:
///
///     loss      L = CE + gamma * sum_i |g_i|                         (gamma = 0.05, `config.gamma`)
///     gate      dL/dg_i = dCE/dg_i + gamma * sign(g_i)               (autograd through `ResidualBlockGates`)
///     logit     dL/dalpha_i = dL/dg_i * s_i (1 - s_i)                (straight-through sigmoid estimator)
///     update    SGD on alpha: lr 0.1, momentum 0.9, weight decay 0   (separate from the weights' optimizer)
///     decision  keep block i iff sigmoid(alpha_i) >= 0.5  (<=> alpha_i >= 0)
///
/// The weights train with the trainer's own optimizer meanwhile. The trainer's reported loss is the cross-entropy;
/// the penalty enters only through its gradient (it does not depend on the weights).
///
/// ```swift
/// let search = try BlockGateSearch(model: model, penalty: 0.05, learningRate: 0.1, momentum: 0.9, seed: 1)
/// var phase = TrainingPhase(name: "block search", config: recipe, hooks: [search])
/// phase.layerOutputHook = search.gates.layerOutputHook
/// try session.train(phase)
/// let removed = search.removedBlocks          // add nodes of the blocks with alpha < 0
/// ```
public final class BlockGateSearch: TrainingHook {
    /// The gates the forward passes read.
    public let gates: ResidualBlockGates
    /// alpha, [B], named `bpcp.block_logits`; never in the model's parameters, so weight decay never touches it.
    public let logits: Variable
    /// gamma, the L1 gate penalty.
    public let penalty: Float
    /// The logits' own SGD.
    public let optimizer: SGD
    /// Source of every gate draw.
    public private(set) var generator: SplitMix64
    /// Iterations whose gates were drawn, and blocks kept over all draws (for the report).
    public private(set) var drawCount = 0, keptDrawCount = 0

    /// A search over every removable block of `model` with alpha = 0; gates are drawn from `SplitMix64(seed:)`.
    /// Throws `invalidParameter` for a negative penalty, learning rate or momentum, or a model without blocks.
    public init(model: Model, penalty: Float, learningRate: Float, momentum: Float, seed: UInt64) throws {
        guard penalty >= 0 else { throw PruneKitError.invalidParameter(name: "gatePenalty", expected: "a number >= 0", found: "\(penalty)") }
        guard learningRate >= 0 else { throw PruneKitError.invalidParameter(name: "gateLearningRate", expected: "a number >= 0", found: "\(learningRate)") }
        guard momentum >= 0, momentum < 1 else { throw PruneKitError.invalidParameter(name: "gateMomentum", expected: "a number in [0, 1)", found: "\(momentum)") }
        gates = try ResidualBlockGates(model: model)
        guard !gates.blocks.isEmpty else {
            throw PruneKitError.invalidParameter(name: "model", expected: "a network with removable residual blocks", found: "'\(model.spec.name)' with none")
        }
        logits = Variable(parameter: Tensor(zeros: [gates.blocks.count]), name: "bpcp.block_logits")
        self.penalty = penalty
        optimizer = try SGD(learningRate: learningRate, momentum: momentum, weightDecay: 0)
        generator = SplitMix64(seed: seed)
    }

    /// sigmoid(alpha) = 1 / (1 + exp(-alpha)): the keep-probability of a block.
    public static func keepProbability(logit: Float) -> Float { 1 / (1 + exp(-logit)) }

    /// dL/dalpha = dL/dg * s (1 - s) with s = sigmoid(alpha) (straight-through sigmoid estimator).
    /// alpha = 0, dL/dg = 2 gives 0.5; alpha = 2, dL/dg = 2 gives 0.209987.
    public static func straightThroughGradient(gateGradient: Float, logit: Float) -> Float {
        let s = keepProbability(logit: logit)
        return gateGradient * s * (1 - s)
    }

    /// The L1 gate term: value gamma * sum |g| and gradient gamma * sign(g) (sign(0) = 0, PyTorch's).
    /// g = [1, 0, 1], gamma = 0.05 gives 0.10 and [0.05, 0, 0.05].
    public static func penaltyTerm(gates: [Float], penalty: Float) -> (value: Float, gradient: [Float]) {
        (penalty * gates.reduce(0) { $0 + abs($1) }, gates.map { $0 > 0 ? penalty : ($0 < 0 ? -penalty : 0) })
    }

    /// g_i = 1 when u_i < sigmoid(alpha_i) for u_i uniform in [0, 1) from `generator`, else 0 (one draw per block).
    public static func sampleGates(logits: [Float], generator: inout SplitMix64) -> [Float] {
        logits.map { generator.nextUniform() < keepProbability(logit: $0) ? 1 : 0 }
    }

    /// Keep block i iff sigmoid(alpha_i) >= 0.5, evaluated as alpha_i >= 0 (the same in exact arithmetic; in Float,
    /// sigmoid rounds to 0.5 for alpha within about 3e-8 of 0, which would keep slightly negative logits).
    public static func keepsBlock(logit: Float) -> Bool { logit >= 0 }

    /// The decision for every block, in `gates.blocks` order.
    public var keptBlocks: [Bool] { logits.value.scalars.map(Self.keepsBlock) }

    /// The add nodes of the blocks the decision removes.
    public var removedBlocks: [String] { zip(gates.blocks, keptBlocks).filter { !$0.1 }.map(\.0.join) }

    /// Draws the first iteration's gates.
    public func beforeTraining(_ context: TrainingContext) throws { drawGates() }

    /// Penalty gradient, straight-through estimate, one SGD step on alpha, then the next iteration's gates.
    public func afterBackward(_ context: TrainingContext) throws {
        let alpha = logits.value.scalars, sampled = gates.values
        let penaltyGradient = Self.penaltyTerm(gates: sampled, penalty: penalty).gradient
        let gateGradient = zip(gates.gateGradients(), penaltyGradient).map { $0 + $1 }
        let alphaGradient = zip(gateGradient, alpha).map { Self.straightThroughGradient(gateGradient: $0, logit: $1) }
        logits.gradient = try Tensor(shape: [alpha.count], scalars: alphaGradient)
        optimizer.step([logits])
        logits.zeroGradient()
        drawGates()
    }

    /// New gates from the current logits; clears the last pass's gate variables.
    private func drawGates() {
        gates.values = Self.sampleGates(logits: logits.value.scalars, generator: &generator)
        gates.clearGateVariables()
        drawCount += 1
        keptDrawCount += gates.values.filter { $0 > 0 }.count
    }
}
