import PruneKitCore

/// One checkpoint tensor holding NaN or ±∞ values.
public struct NonFiniteTensor: Equatable, Sendable {
    /// The tensor's name in the file (`conv1.weight`, `optimizer.fc.bias.momentum_buffer`).
    public var name: String
    /// How many of its values are NaN or infinite.
    public var nonFiniteCount: Int
    /// How many values it has.
    public var count: Int

    /// A record of `nonFiniteCount` NaN or infinite values among the `count` values of tensor `name`.
    public init(name: String, nonFiniteCount: Int, count: Int) {
        (self.name, self.nonFiniteCount, self.count) = (name, nonFiniteCount, count)
    }

    /// "conv1.weight (3 of 150 values)".
    public var description: String { "\(name) (\(nonFiniteCount) of \(count) values)" }
}
