import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// sdprun.md option (a): a zero filter o followed by BatchNorm and ReLU still emits the constant
/// r_o = max(beta_o - gamma_o mu_o / sqrt(var_o + eps), 0) (eval mode). Before o is removed, that constant is folded
/// into each reader so the network keeps computing the same function:
///
///     conv reader with bias:        bias[k] += r_o sum_{h,w} W[k, o, h, w]
///     conv reader without bias:     its BatchNorm's running_mean[k] -= r_o sum_{h,w} W[k, o, h, w]
///     linear reader (columns C_o):  bias[k] += r_o sum_{c in C_o} W[k, c]
///
/// Exact for linear readers; for conv readers exact except at zero-padded borders (where the padded input was 0,
/// not r_o). Shape contract: conv weights [OC, C, K, K], linear weights [out, in].
///
/// ```swift
/// try StructuredDirectionalPruner.foldConstants(of: ["layer1.0.conv1": [3]], in: session)
/// ```
extension StructuredDirectionalPruner {
    /// Folds the BatchNorm constant of every removed unit of `removals` into its readers.
    static func foldConstants(of removals: [String: [Int]], in session: PruningSession) throws {
        for (name, units) in removals {
            let group = try session.graph.group(named: name)
            guard let normMember = group.members.first(where: { $0.role == .batchNorm }),
                  let norm = session.model.namedLayers[normMember.layerName] as? BatchNorm else { continue }
            for unit in units {
                let channel = normMember.channels[unit][0]
                let constant = max(norm.shift.value[flat: channel] - norm.scale.value[flat: channel] * norm.statistics.runningMean[flat: channel]
                                   / (norm.statistics.runningVariance[flat: channel] + norm.epsilon).squareRoot(), 0)
                guard constant != 0 else { continue }
                for reader in group.members where reader.role == .input {
                    try fold(constant, into: reader, unit: unit, session: session)
                }
            }
        }
    }

    /// Adds constant * (the reader's weights on the unit's channels) to its bias, or to its BatchNorm's mean.
    private static func fold(_ constant: Float, into reader: ChannelGroup.Member, unit: Int, session: PruningSession) throws {
        let weight = try PrunableLayer(session.model, named: reader.layerName).parameters(for: .input)[0].variable
        let shape = weight.shape, inner = shape.dropFirst(2).reduce(1, *)
        let shifts = weight.value.withUnsafeBufferPointer { w in
            (0..<shape[0]).map { k in reader.channels[unit].reduce(Float(0)) { total, c in
                total + (0..<inner).reduce(Float(0)) { $0 + w[(k * shape[1] + c) * inner + $1] } } * constant }
        }
        let bias = (session.model.namedLayers[reader.layerName] as? Conv2d)?.bias ?? (session.model.namedLayers[reader.layerName] as? Linear)?.bias
        if let bias {
            for k in 0..<shape[0] { bias.value[flat: k] += shifts[k] }
        } else if let norm = readerNorm(of: reader.layerName, session) {
            for k in 0..<shape[0] { norm.statistics.runningMean[flat: k] -= shifts[k] }
        }
    }

    /// The BatchNorm that normalises `layerName`'s output alone: the next layer in state_dict order, when it is a
    /// BatchNorm of matching width (conv-BN layouts). Pre-activation nets (WRN) are skipped: there the next BatchNorm
    /// reads the residual sum, which other readers also see, so no fold would be exact.
    private static func readerNorm(of layerName: String, _ session: PruningSession) -> BatchNorm? {
        let model = session.model
        guard model.spec.family != .wideResNet, let index = model.layerNames.firstIndex(of: layerName),
              index + 1 < model.layerNames.count, let conv = model.namedLayers[layerName] as? Conv2d,
              let norm = model.namedLayers[model.layerNames[index + 1]] as? BatchNorm, norm.channels == conv.weight.shape[0] else { return nil }
        return norm
    }
}
