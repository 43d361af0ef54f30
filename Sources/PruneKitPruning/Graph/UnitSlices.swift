import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: U = units, O = outer extent, A = the sliced axis, I = inner extent; a tensor is viewed as [O, A, I].

/// One view over the entries a pruning unit owns: for each member tensor, the indices of one axis that unit u
/// owns, so that every method reads and writes a unit's weights, gradients and optimizer state the same way.
/// The members of a `ChannelGroup` (producers' filters [OC, C, k, k] on axis 0, BatchNorm gamma/beta, readers'
/// input channels on axis 1) and im2col columns of a conv ([OC, C k k] viewed as [OC, columns, 1]) are both views.
///
/// Element order is fixed: member by member, then o, then the unit's axis indices in order, then i. Every
/// reduction states its summation order, which the methods' golden tests pin (SFP, GReg, IncReg, L1/L2, sDprun).
///
/// ```swift
/// let slices = try UnitSlices(group: graph.group(named: "layer1.0.conv1"), model: model, roles: [.output])
/// slices.runningTotals { $0 * $0 }          // [U] sum of w^2 over each unit's filters (SFP's ||F||^2)
/// slices.zero(units: [1, 2])                // those filters become exactly 0
/// slices.addPenaltyGradient([0, 0.5, 0])    // grad_u += lambda_u w_u (GReg, IncReg)
/// ```
public struct UnitSlices {
    /// How a tensor is viewed: [outer, length, inner] with the units on the middle axis.
    public struct Layout: Equatable, Sendable {
        /// O: product of the axes before the sliced one.
        public let outer: Int
        /// A: the sliced axis.
        public let length: Int
        /// I: product of the axes after it.
        public let inner: Int

        /// A layout of explicit extents.
        public init(outer: Int, length: Int, inner: Int) { (self.outer, self.length, self.inner) = (outer, length, inner) }

        /// Axis `axis` of `shape` (axis 0: filters / rows; axis 1: input channels / columns).
        public init(axis: Int, of shape: [Int]) {
            self.init(outer: shape[..<axis].reduce(1, *), length: shape[axis], inner: shape[(axis + 1)...].reduce(1, *))
        }

        /// im2col columns of a weight [OC, ...]: [OC, product of the rest, 1].
        public static func columns(of shape: [Int]) -> Layout { Layout(outer: shape[0], length: shape.dropFirst().reduce(1, *), inner: 1) }
    }

    /// One tensor's share: its parameter, layout and the axis indices of every unit.
    public struct Member {
        /// The parameter the slices live in (its value, gradient and optimizer state share its shape).
        public let variable: Variable
        /// How the parameter is viewed.
        public let layout: Layout
        /// channels[u]: the axis indices unit u owns, ascending.
        public let channels: [[Int]]

        /// A member; `layout` must describe `variable`'s element count.
        public init(variable: Variable, layout: Layout, channels: [[Int]]) {
            (self.variable, self.layout, self.channels) = (variable, layout, channels)
        }

        /// Entries of one unit: O * |channels[u]| * I.
        public func entryCount(of unit: Int) -> Int { layout.outer * channels[unit].count * layout.inner }

        /// Calls `body` with every flat index of `unit`, in the order (o, channel, i).
        @inline(__always)
        public func forEachIndex(of unit: Int, _ body: (Int) -> Void) {
            let (A, I) = (layout.length, layout.inner)
            for o in 0..<layout.outer {
                for c in channels[unit] {
                    let start = (o * A + c) * I  // slice [o, c, :]
                    for i in 0..<I { body(start + i) }
                }
            }
        }

        /// Flat indices of `unit` in element order.
        public func indices(of unit: Int) -> [Int] {
            var result: [Int] = []
            result.reserveCapacity(entryCount(of: unit))
            forEachIndex(of: unit) { result.append($0) }
            return result
        }

        /// [A] for each axis index c: sum over o of (sum over i of transform(x[o, c, i])), the inner sum in a local
        /// accumulator (Li et al.'s filter norms; the order `MagnitudeImportance` has always used).
        public func axisSums(of tensor: Tensor, _ transform: (Float) -> Float) -> [Float] {
            let (A, I) = (layout.length, layout.inner)
            var sums = [Float](repeating: 0, count: A)
            tensor.withUnsafeBufferPointer { x in
                for o in 0..<layout.outer {
                    for c in 0..<A {
                        let start = (o * A + c) * I
                        var total: Float = 0
                        for i in 0..<I { total += transform(x[start + i]) }
                        sums[c] += total
                    }
                }
            }
            return sums
        }

        /// 0 + transform(x_1) + transform(x_2) + ... over `unit`'s entries of `tensor`, in element order.
        public func runningTotal(of tensor: Tensor, unit: Int, _ transform: (Float) -> Float) -> Float {
            tensor.withUnsafeBufferPointer { x in
                var total: Float = 0
                forEachIndex(of: unit) { total += transform(x[$0]) }
                return total
            }
        }
    }

    /// The members, in group order.
    public let members: [Member]
    /// U.
    public let unitCount: Int

    /// A view over explicit members (all with `unitCount` channel lists).
    public init(members: [Member], unitCount: Int) { (self.members, self.unitCount) = (members, unitCount) }

    /// The members of `group` whose role is in `roles` (default: the producing filters only), every parameter
    /// of each layer on the role's axis (`PrunableLayer.parameters(for:)`), or only the weight with
    /// `weightsOnly` (conv/linear weight; BatchNorm gamma).
    public init(group: ChannelGroup, model: Model, roles: Set<ChannelGroup.Member.Role> = [.output], weightsOnly: Bool = true) throws {
        var members: [Member] = []
        for member in group.members where roles.contains(member.role) {
            let parameters = try PrunableLayer(model, named: member.layerName).parameters(for: member.role)
            for (variable, axis) in weightsOnly ? Array(parameters.prefix(1)) : parameters {
                members.append(Member(variable: variable, layout: Layout(axis: axis, of: variable.shape), channels: member.channels))
            }
        }
        self.init(members: members, unitCount: group.unitCount)
    }

    /// Where the numbers come from: the parameters' values, their gradients, or tensors of the same shapes keyed
    /// by parameter name (optimizer state: SGD momentum, gRDA accumulators).
    public enum Source {
        /// w.
        case values
        /// dL/dw (a missing gradient reads as absent: the member is skipped).
        case gradients
        /// Parameter name -> a tensor of the parameter's shape (absent names are skipped).
        case tensors([String: Tensor])

        func tensor(of variable: Variable) -> Tensor? {
            switch self {
            case .values: return variable.value
            case .gradients: return variable.gradient
            case let .tensors(tensors): return tensors[variable.name].flatMap { $0.shape == variable.shape ? $0 : nil }
            }
        }
    }

    /// [U] 0 + transform(x) over every entry of unit u, member by member in element order (SFP's squared norms,
    /// GReg's |w| sums, IncReg's s_g).
    public func runningTotals(_ source: Source = .values, _ transform: (Float) -> Float) -> [Float] {
        var totals = [Float](repeating: 0, count: unitCount)
        for member in members {
            guard let tensor = source.tensor(of: member.variable) else { continue }
            tensor.withUnsafeBufferPointer { x in
                for unit in 0..<unitCount { member.forEachIndex(of: unit) { totals[unit] += transform(x[$0]) } }
            }
        }
        return totals
    }

    /// [members][U]: per member, 0 + axisSums[c_1] + axisSums[c_2] + ... over the unit's axis indices (the
    /// per-member scores that `GroupReduction` combines).
    public func memberTotals(_ source: Source = .values, _ transform: (Float) -> Float) -> [[Float]] {
        members.compactMap { member in
            guard let tensor = source.tensor(of: member.variable) else { return nil }
            let sums = member.axisSums(of: tensor, transform)
            return member.channels.map { channels in channels.reduce(Float(0)) { $0 + sums[$1] } }
        }
    }

    /// [U] mean of transform(x) over each unit's entries (0 for a unit with none): GReg's s_f = mean|W_f|.
    public func means(_ source: Source = .values, _ transform: (Float) -> Float) -> [Float] {
        let totals = runningTotals(source, transform)
        return (0..<unitCount).map { unit in
            let size = members.reduce(0) { $0 + $1.entryCount(of: unit) }
            return size > 0 ? totals[unit] / Float(size) : 0
        }
    }

    /// Whether every entry of `unit` is exactly 0 in every member (sDprun's zero groups).
    public func isZero(unit: Int, _ source: Source = .values) -> Bool {
        members.allSatisfy { member in
            guard let tensor = source.tensor(of: member.variable) else { return true }
            return tensor.withUnsafeBufferPointer { x in
                var zero = true
                member.forEachIndex(of: unit) { if x[$0] != 0 { zero = false } }
                return zero
            }
        }
    }

    /// Sets every entry of `units` to exactly 0 in the values (default) or the existing gradients.
    public func zero(units: [Int], in source: Source = .values) {
        for member in members {
            switch source {
            case .values:
                member.variable.value.withUnsafeMutableBufferPointer { x in for unit in units { member.forEachIndex(of: unit) { x[$0] = 0 } } }
            case .gradients:
                guard member.variable.gradient != nil else { continue }
                member.variable.gradient!.withUnsafeMutableBufferPointer { g in for unit in units { member.forEachIndex(of: unit) { g[$0] = 0 } } }
            case .tensors: continue
            }
        }
    }

    /// grad_u += penalties[u] * w_u for every unit with a non-zero penalty (the gradient of
    /// sum_u (lambda_u / 2) ||W_u||^2); a missing gradient counts as zero unless `skipsMissingGradients`.
    public func addPenaltyGradient(_ penalties: [Float], skipsMissingGradients: Bool = false) {
        for member in members {
            let variable = member.variable
            if variable.gradient == nil && skipsMissingGradients { continue }
            var gradient = variable.gradient ?? Tensor(zeros: variable.shape)
            variable.value.withUnsafeBufferPointer { w in
                gradient.withUnsafeMutableBufferPointer { g in
                    for (unit, penalty) in penalties.enumerated() where penalty != 0 {
                        member.forEachIndex(of: unit) { g[$0] += penalty * w[$0] }
                    }
                }
            }
            variable.gradient = gradient
        }
    }

    /// Parameter name -> the `MaskPattern` zeroing every entry of `units` (for `WeightMasks` and `PruningPlan`;
    /// a parameter that is several members gets its first member's pattern).
    public func maskPatterns(zeroing units: [Int]) -> [String: MaskPattern] {
        var result: [String: MaskPattern] = [:]
        for member in members where result[member.variable.name] == nil {
            result[member.variable.name] = .slices(member.layout, zeroed: units.flatMap { member.channels[$0] }.sorted())
        }
        return result
    }

    /// The `count` lowest of `scores`, ascending by score (ties: lower index first), returned sorted by index.
    public static func lowest(_ count: Int, of scores: [Float]) -> [Int] {
        Array(scores.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }.prefix(count)).sorted()
    }
}
