import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// An update rule over named parameters. `SGD` is the default; methods that replace the solver (sDprun's
/// gRDA) conform too. State is exposed as named tensors so checkpoints and surgery can carry it.
public protocol Optimizer: AnyObject {
    /// Step size for the next update (set by the trainer from the schedule each iteration).
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient.
    func step(_ parameters: [Variable])
    /// Per-parameter state tensors, keyed "<parameter name>.<state name>" (e.g. "conv1.weight.momentum_buffer").
    func stateTensors() -> [String: Tensor]
    /// Restores state saved by `stateTensors()`; unknown keys are an error naming the key.
    func loadStateTensors(_ tensors: [String: Tensor]) throws
}

extension SGD: Optimizer {
    /// Momentum buffers keyed "<parameter name>.momentum_buffer" (PyTorch's name for them).
    public func stateTensors() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: velocities.map { ($0.key + ".momentum_buffer", $0.value) })
    }

    /// Replaces the momentum buffers with `tensors`; a key not ending in ".momentum_buffer" throws `invalidArgument`.
    public func loadStateTensors(_ tensors: [String: Tensor]) throws {
        var loaded: [String: Tensor] = [:]
        for (key, tensor) in tensors {
            guard key.hasSuffix(".momentum_buffer") else {
                throw PruneKitError.invalidArgument(operation: "SGD.loadStateTensors", message: "unknown state '\(key)'")
            }
            loaded[String(key.dropLast(".momentum_buffer".count))] = tensor
        }
        velocities = loaded
    }
}
