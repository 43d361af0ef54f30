import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, exactly PyTorch's
/// `torch.optim.SGD` (dampening 0):
///
///     g = grad + weightDecay * w
///     v = momentum * v + g                       (v = g on the first step)
///     d = nesterov ? g + momentum * v : v
///     w = w - learningRate * d
///
/// `weightDecay` applies to weight matrices and kernels (rank >= 2); vectors (rank <= 1: batch-norm scales and shifts,
/// biases) take `vectorWeightDecay` when it is set, the "no weight decay on BN and bias" of fast CIFAR recipes
/// (Goyal et al. 2017, section 5.1; torchvision's `--norm-weight-decay`), else `weightDecay` like every other tensor.
///
/// Weight decay here is the plain L2 term; pruning regularisers (slimming, GReg, IncReg) add their own
/// gradients through trainer hooks and are not mixed into it. Momentum buffers are keyed by parameter
/// name so that surgery can slice them along with the weights (STYLE.md rule 12).
public final class SGD {
    /// Step size (>= 0); the trainer sets it from the schedule each iteration.
    public var learningRate: Float
    /// Momentum factor (>= 0; 0: plain SGD, no buffers kept).
    public var momentum: Float
    /// Nesterov momentum: step along g + momentum * v instead of v (requires momentum > 0).
    public var nesterov: Bool
    /// L2 coefficient added to the gradient as weightDecay * w (>= 0).
    public var weightDecay: Float
    /// L2 coefficient for rank <= 1 parameters (batch-norm scale and shift, biases); nil: `weightDecay`.
    public var vectorWeightDecay: Float?
    /// Momentum buffers by parameter name.
    public var velocities: [String: Tensor] = [:]

    /// Defaults: no momentum, no Nesterov, no weight decay, vectors decayed like matrices. Throws `invalidArgument` on a
    /// negative value or Nesterov without momentum.
    ///
    /// ```swift
    /// let sgd = try SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4)
    /// sgd.step(model.parameters)
    /// ```
    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
                vectorWeightDecay: Float? = nil) throws {
        guard learningRate >= 0, momentum >= 0, weightDecay >= 0, (vectorWeightDecay ?? 0) >= 0, !nesterov || momentum > 0 else {
            throw PruneKitError.invalidArgument(operation: "SGD", message: "need learningRate, momentum, weight decays >= 0 and momentum > 0 with Nesterov; got lr \(learningRate), momentum \(momentum), weight decay \(weightDecay), vector weight decay \(vectorWeightDecay.map { "\($0)" } ?? "nil"), nesterov \(nesterov)")
        }
        self.vectorWeightDecay = vectorWeightDecay
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    /// Applies one update to every parameter that has a gradient.
    public func step(_ parameters: [Variable]) {
        for parameter in parameters {
            guard let gradient = parameter.gradient else { continue }
            update(parameter, gradient)
        }
    }

    private func update(_ parameter: Variable, _ gradient: Tensor) {
        let isVector = parameter.value.shape.count <= 1
        let (lr, m, wd) = (learningRate, momentum, isVector ? vectorWeightDecay ?? weightDecay : weightDecay)
        let count = gradient.count
        var velocity = velocities.removeValue(forKey: parameter.name)
        let first = velocity == nil || velocity!.shape != gradient.shape
        if m > 0 && first { velocity = Tensor(zeros: gradient.shape, zeroed: false) }
        let g = UnsafePointer(gradient.storage.pointer)
        var v: UnsafeMutablePointer<Float>?  // unique: removed from the dictionary above, so no copy-on-write
        if velocity != nil { v = velocity!.withUnsafeMutableBufferPointer { $0.baseAddress! } }
        parameter.value.withUnsafeMutableBufferPointer { w in
            let w = w.baseAddress!
            // Large parameters (VGG-16's 2.4M-weight convolutions) are split across threads.
            Parallel.forEachChunk(count: count, minimumPerChunk: Parallel.elementwiseGrain) { _, range in
                let (w, g, n) = (w + range.lowerBound, g + range.lowerBound, range.count)
                if let v {
                    sgdMomentumStep(w, v + range.lowerBound, g, n, lr, m, wd, first: first, nesterov: nesterov)
                } else {
                    sgdPlainStep(w, g, n, lr, wd)
                }
            }
        }
        if let velocity { velocities[parameter.name] = velocity }
    }
}

/// w -= lr (g + wd w), SIMD16 (a scalar loop here was 20% of an MLP training step).
private func sgdPlainStep(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ count: Int, _ lr: Float, _ wd: Float) {
    typealias V = SIMD16<Float>
    var i = 0
    while i + 16 <= count {
        let wv = UnsafeRawPointer(w + i).loadUnaligned(as: V.self), gv = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
        UnsafeMutableRawPointer(w + i).storeBytes(of: wv - lr * (gv + wd * wv), as: V.self)
        i += 16
    }
    while i < count { w[i] -= lr * (g[i] + wd * w[i]); i += 1 }
}

/// d = g + wd w; v = first ? d : m v + d; w -= lr (nesterov ? d + m v : v). SIMD16, flags hoisted out of the
/// loop (the branchy scalar version mispredicted and did not vectorise).
private func sgdMomentumStep(_ w: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                             _ count: Int, _ lr: Float, _ m: Float, _ wd: Float, first: Bool, nesterov: Bool) {
    typealias V = SIMD16<Float>
    let keep: Float = first ? 0 : m, ahead: Float = nesterov ? m : 0, direct: Float = nesterov ? 1 : 0
    // v' = keep v + d; step = ahead v' + (nesterov ? d : v')  ==  ahead v' + direct d + (1 - direct) v'
    var i = 0
    while i + 16 <= count {
        let wv = UnsafeRawPointer(w + i).loadUnaligned(as: V.self), gv = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
        let d = gv + wd * wv
        // First step: v is uninitialised (maybe NaN, and 0 * NaN = NaN), so it is not read at all.
        let velocity = first ? d : keep * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + d
        UnsafeMutableRawPointer(v + i).storeBytes(of: velocity, as: V.self)
        let step = (ahead + 1 - direct) * velocity + direct * d
        UnsafeMutableRawPointer(w + i).storeBytes(of: wv - lr * step, as: V.self)
        i += 16
    }
    while i < count {
        let d = g[i] + wd * w[i]
        v[i] = first ? d : keep * v[i] + d
        w[i] -= lr * ((ahead + 1 - direct) * v[i] + direct * d)
        i += 1
    }
}
