/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, exactly PyTorch's
/// `torch.optim.SGD` (dampening 0):
///
///     g = grad + weightDecay * w
///     v = momentum * v + g                       (v = g on the first step)
///     d = nesterov ? g + momentum * v : v
///     w = w - learningRate * d
///
/// Weight decay here is the plain L2 term; pruning regularisers (slimming, GReg, IncReg) add their own
/// gradients through trainer hooks and are not mixed into it. Momentum buffers are keyed by parameter
/// name so that surgery can slice them along with the weights (STYLE.md rule 12).
public final class SGD {
    public var learningRate: Float
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    /// Momentum buffers by parameter name.
    public var velocities: [String: Tensor] = [:]

    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) throws {
        guard learningRate >= 0, momentum >= 0, weightDecay >= 0, !nesterov || momentum > 0 else {
            throw PruneKitError.invalidArgument(operation: "SGD", message: "need learningRate, momentum, weightDecay >= 0 and momentum > 0 with Nesterov; got lr \(learningRate), momentum \(momentum), weight decay \(weightDecay), nesterov \(nesterov)")
        }
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
        let (lr, m, wd) = (learningRate, momentum, weightDecay)
        let count = gradient.count
        var velocity = velocities.removeValue(forKey: parameter.name)
        let first = velocity == nil || velocity!.shape != gradient.shape
        if m > 0 && first { velocity = Tensor(zeros: gradient.shape, zeroed: false) }
        let g = gradient.storage.pointer
        parameter.value.withUnsafeMutableBufferPointer { w in
            if var v = velocity {
                v.withUnsafeMutableBufferPointer { v in
                    for i in 0..<count {
                        let d = g[i] + wd * w[i]
                        v[i] = first ? d : m * v[i] + d
                        w[i] -= lr * (nesterov ? d + m * v[i] : v[i])
                    }
                }
                velocities[parameter.name] = v
            } else {
                for i in 0..<count { w[i] -= lr * (g[i] + wd * w[i]) }
            }
        }
    }
}
