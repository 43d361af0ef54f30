import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Channel scores from per-filter damages (`FilterDamage`, C-OBD or Kron-OBD): a unit's score is the **sum** of the
/// damages of the filters it removes over every producing convolution of its group (a residual stream's unit removes
/// the same channel from the stem, each block's last conv and the projection shortcuts, so its damage is the sum of
/// theirs; eigendamage.md "Coupled channels"). Readers' input slices and batch norm are not scored (the baselines
/// score filters only). Groups with no scored producer get nil and are not pruned.
///
/// ```swift
/// let importance = FilterDamageImportance(name: "kron-obd", damages: ["conv1": [0.2, 1.5], "layer1.0.conv2": [0.1, 0.3]])
/// let scores = try importance.scores(for: graph.group(named: "layer1"), in: model)   // [0.3, 1.8]
/// ```
public struct FilterDamageImportance: Importance {
    /// "c-obd" or "kron-obd".
    public let name: String
    /// Layer name -> damage per output channel.
    public let damages: [String: [Double]]

    /// Scores from `damages` (layer name -> one damage per filter).
    public init(name: String, damages: [String: [Double]]) { (self.name, self.damages) = (name, damages) }

    /// Sum over the group's scored producers of the damages of each unit's channels.
    public func scores(for group: ChannelGroup, in model: Model) throws -> [Float]? {
        var total = [Double](repeating: 0, count: group.unitCount), scored = false
        for member in group.members where member.role == .output {
            guard let damage = damages[member.layerName] else { continue }
            scored = true
            for (unit, channels) in member.channels.enumerated() {
                for channel in channels {
                    guard channel < damage.count else {
                        throw PruneKitError.shapeMismatch(operation: "\(name) scores of \(member.layerName)", expected: "channel < \(damage.count)",
                                                          found: "\(channel)")
                    }
                    total[unit] += damage[channel]
                }
            }
        }
        return scored ? total.map(Float.init) : nil
    }
}
