import PruneKitCore

/// The gate vector a of greedy forward selection (Ye et al., "Good Subnetworks Provably Exist", ICML 2020; greedy.md),
/// in the official code's form: channel j of the layer is multiplied by N * a_j. The full network is a_j = 1/N
/// (multiplier 1); selection starts from a = 0 and adds neuron j with step eta = 1/(|S| + 1):
/// a <- (1 - eta) a + eta e_j (the first pick gives a = e_j), so after k distinct picks every selected entry is
/// exactly 1/k and each kept channel is multiplied by N / k. No neuron is picked twice (the code's rule).
///
/// ```swift
/// var gates = GreedyGateVector(width: 4)
/// gates.add(2); gates.add(0)            // a = [1/2, 0, 1/2, 0]
/// gates.multipliers                     // [2, 0, 2, 0]
/// ```
public struct GreedyGateVector: Equatable, Sendable {
    /// N, the layer's width.
    public let width: Int
    /// a, one entry per channel (0 for unselected channels).
    public private(set) var values: [Double]
    /// S, the selected channels in the order picked.
    public private(set) var selected: [Int] = []

    /// a = 0: nothing selected.
    public init(width: Int) {
        self.width = width
        values = [Double](repeating: 0, count: width)
    }

    /// eta = 1 / (|S| + 1), the step of the next addition.
    public var step: Double { 1 / Double(selected.count + 1) }

    /// a' = (1 - eta) a + eta e_j without changing a: the gates a candidate j would give.
    public func adding(_ channel: Int) -> [Double] {
        let eta = step
        var result = values.map { (1 - eta) * $0 }
        result[channel] += eta
        return result
    }

    /// Adds channel `channel` (not yet selected): a <- (1 - eta) a + eta e_j, S <- S + {j}.
    public mutating func add(_ channel: Int) {
        precondition(!selected.contains(channel), "greedy selection adds each channel once")
        values = selected.isEmpty ? values.indices.map { $0 == channel ? 1 : 0 } : adding(channel)
        selected.append(channel)
    }

    /// The uniform gates over `channels` (1/|channels| each): the code's "all added" restore.
    public mutating func setUniform(over channels: [Int]) {
        values = [Double](repeating: 0, count: width)
        for channel in channels { values[channel] = 1 / Double(channels.count) }
        selected = channels
    }

    /// N * a_j per channel: what multiplies each channel's output.
    public var multipliers: [Float] { Self.multipliers(of: values) }

    /// N * a_j for an arbitrary gate vector.
    public static func multipliers(of values: [Double]) -> [Float] { values.map { Float(Double(values.count) * $0) } }
}
