import PruneKitCore

/// Per-channel normalisation of 8-bit pixels, as torchvision's `ToTensor()` followed by `Normalize(mean, std)`:
///
///     output[c] = (value / 255 − mean[c]) / standardDeviation[c]
///
/// Because inputs are bytes, the loader evaluates the formula once per (channel, value) into a
/// [channels, 256] lookup table and then maps pixels by table lookup. The standard statistics of each
/// dataset are on `DatasetKind.normalization`.
///
/// ```swift
/// let mnist = Normalization(mean: [0.1307], standardDeviation: [0.3081])
/// mnist.normalize(255, channel: 0)      // (1 − 0.1307) / 0.3081 ≈ 2.8215
/// ```
public struct Normalization: Equatable, Codable, Sendable {
    /// Mean per channel, on the 0...1 scale.
    public let mean: [Float]
    /// Standard deviation per channel, on the 0...1 scale; all positive.
    public let standardDeviation: [Float]

    /// Statistics for `mean.count` channels; the two arrays must have equal, non-zero length.
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(!mean.isEmpty && mean.count == standardDeviation.count, "one mean and one deviation per channel")
        precondition(standardDeviation.allSatisfy { $0 > 0 }, "standard deviations must be positive")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Scaling to 0...1 only (mean 0, deviation 1) for `channels` channels.
    public static func unitRange(channels: Int) -> Normalization {
        Normalization(mean: Array(repeating: 0, count: channels), standardDeviation: Array(repeating: 1, count: channels))
    }

    /// Number of channels.
    public var channels: Int { mean.count }

    /// The normalised value of byte `value` in `channel`, computed in Float32 like PyTorch:
    /// `(Float(value) / 255 − mean) / std`.
    public func normalize(_ value: UInt8, channel: Int) -> Float {
        (Float(value) / 255 - mean[channel]) / standardDeviation[channel]
    }

    /// [channels, 256] table: `table[c * 256 + v] == normalize(v, channel: c)`.
    public func lookupTable() -> [Float] {
        var table = [Float](repeating: 0, count: channels * 256)
        for channel in 0..<channels {
            for value in 0..<256 { table[channel * 256 + value] = normalize(UInt8(value), channel: channel) }
        }
        return table
    }
}
