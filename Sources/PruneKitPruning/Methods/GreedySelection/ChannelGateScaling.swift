import PruneKitCore
import PruneKitNetworks

/// Gates on a group's channels implemented by scaling the layer that finishes them: with a BatchNorm, gamma_j and
/// beta_j become m_j gamma_j and m_j beta_j; without one, the conv or linear filter j and its bias are scaled.
/// For m_j >= 0 this equals multiplying the channel's output after its ReLU (and max pooling), since
/// relu(m x) = m relu(x): the gate position of greedy.md. Unlike a forward hook it keeps the fused inference path
/// (BN folding, threads over images), so every candidate evaluation runs at inference speed.
/// `restore()` puts the original values back.
final class ChannelGateScaling {
    private let targets: [(variable: Variable, original: Tensor, axis: Int)]

    /// The scaled tensors of `group` in `model`: its BatchNorms' gamma and beta if it has any, else its producing
    /// layers' weights (axis 0) and biases.
    init(group: ChannelGroup, model: Model) throws {
        let finishing = Self.finishingMembers(of: group)
        var targets: [(Variable, Tensor, Int)] = []
        for member in finishing {
            guard member.channels.allSatisfy({ $0.count == 1 }) else {
                throw PruneKitError.invalidArgument(operation: "greedy gates on '\(group.name)'", message: "a unit owns several channels")
            }
            for (variable, axis) in try PrunableLayer(model, named: member.layerName).parameters(for: member.role) {
                targets.append((variable, variable.value, axis))
            }
        }
        self.targets = targets
    }

    /// The members whose channels are scaled: the group's BatchNorms, or its producing layers when it has none.
    static func finishingMembers(of group: ChannelGroup) -> [ChannelGroup.Member] {
        let batchNorms = group.members.filter { $0.role == .batchNorm }
        return batchNorms.isEmpty ? group.members.filter { $0.role == .output } : batchNorms
    }

    /// Sets channel j of every target to original * multipliers[j].
    func apply(_ multipliers: [Float]) {
        for (variable, original, axis) in targets {
            let layout = UnitSlices.Layout(axis: axis, of: original.shape)
            var scaled = original
            scaled.withUnsafeMutableBufferPointer { x in
                for o in 0..<layout.outer {
                    for c in 0..<layout.length {
                        let start = (o * layout.length + c) * layout.inner, m = multipliers[c]
                        for i in 0..<layout.inner { x[start + i] *= m }
                    }
                }
            }
            variable.value = scaled
        }
    }

    /// The original values.
    func restore() {
        for (variable, original, _) in targets { variable.value = original }
    }
}
