import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: U = units of the group, S = elements of one filter slice (C_in * K * K for a conv, C_in for a linear).

/// The producing weights of one channel group seen filter by filter: for every conv or linear member with role
/// `.output`, the weight rows (axis 0, each `S` contiguous floats) that each unit owns. SFP zeroes and ranks these
/// rows; GReg ranks them and adds lambda * w to their gradients. Biases and BatchNorm parameters are never
/// touched (sfp.md step 4c; greg.md "Penalty": "BN and biases get no lambda").
///
/// ```swift
/// let filters = try FilterWeights(group: try graph.group(named: "layer1.0.conv1"), model: model)
/// filters.squaredNorms()            // [U] sum of w^2 over each unit's filters
/// try filters.zero(units: [1, 2])   // those filters become exactly 0
/// ```
public struct FilterWeights {
    /// One weighted producer: its weight and the rows each unit owns.
    public struct Member {
        /// Conv weight [OC, C, K, K] or linear weight [out, in].
        public let weight: Variable
        /// rows[u]: the output channels (axis 0 indices) unit u owns.
        public let rows: [[Int]]
        /// Floats per row (S).
        public var rowSize: Int { weight.shape.dropFirst().reduce(1, *) }
    }

    /// The weighted producers of the group.
    public let members: [Member]
    /// Units of the group (U).
    public let unitCount: Int

    /// The output-role members of `group` in `model`.
    public init(group: ChannelGroup, model: Model) throws {
        var members: [Member] = []
        for member in group.members where member.role == .output {
            let weight = try PrunableLayer(model, named: member.layerName).parameters(for: .output)[0].variable
            members.append(Member(weight: weight, rows: member.channels))
        }
        self.members = members
        unitCount = group.unitCount
    }

    /// [U] sum over a unit's rows in every member of w^2 (SFP ranks by its square root, the filter L2 norm).
    public func squaredNorms() -> [Float] { sums { $0 * $0 } }

    /// [U] mean |w| over a unit's rows (GReg's score `s_f = mean|W_f|`, greg.md "Algorithm - GReg-1" step 1).
    public func meanMagnitudes() -> [Float] {
        let totals = sums { abs($0) }
        return (0..<unitCount).map { unit in
            let size = members.reduce(0) { $0 + $1.rows[unit].count * $1.rowSize }
            return size > 0 ? totals[unit] / Float(size) : 0
        }
    }

    /// Sets every weight of `units` to exactly 0 (biases, BatchNorm and optimizer state untouched).
    public func zero(units: [Int]) {
        for member in members {
            let size = member.rowSize
            member.weight.value.withUnsafeMutableBufferPointer { w in
                for unit in units { for row in member.rows[unit] { for i in 0..<size { w[row * size + i] = 0 } } }
            }
        }
    }

    /// grad[rows of u] += penalties[u] * w[rows of u] for every unit with a non-zero penalty (the gradient of
    /// sum_u (lambda_u / 2) ||W_u||^2); a missing gradient counts as zero.
    public func addPenaltyGradient(_ penalties: [Float]) {
        for member in members {
            let size = member.rowSize, weight = member.weight
            var gradient = weight.gradient ?? Tensor(zeros: weight.shape)
            weight.value.withUnsafeBufferPointer { w in
                gradient.withUnsafeMutableBufferPointer { g in
                    for (unit, penalty) in penalties.enumerated() where penalty != 0 {
                        for row in member.rows[unit] { for i in 0..<size { g[row * size + i] += penalty * w[row * size + i] } }
                    }
                }
            }
            weight.gradient = gradient
        }
    }

    /// [U] sum over each unit's rows of `transform(w)`.
    private func sums(_ transform: (Float) -> Float) -> [Float] {
        var totals = [Float](repeating: 0, count: unitCount)
        for member in members {
            let size = member.rowSize
            member.weight.value.withUnsafeBufferPointer { w in
                for unit in 0..<unitCount {
                    for row in member.rows[unit] { for i in 0..<size { totals[unit] += transform(w[row * size + i]) } }
                }
            }
        }
        return totals
    }

    /// The `count` lowest of `scores`, ascending by score (ties: lower index first), returned sorted by index.
    public static func lowest(_ count: Int, of scores: [Float]) -> [Int] {
        Array(scores.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }.prefix(count)).sorted()
    }
}
