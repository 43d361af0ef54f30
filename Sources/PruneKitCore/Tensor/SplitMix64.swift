/// The one random number generator of PruneKit: SplitMix64 (Steele, Lea and Flood, OOPSLA 2014).
///
/// Every random choice (initialisation, shuffling, augmentation, dropout, random importance) flows from a
/// `SplitMix64` seeded explicitly, so the same seed gives the same result. The state is one `UInt64`, which
/// checkpoints store to resume a run exactly.
///
/// ```swift
/// var rng = SplitMix64(seed: 1)
/// let u = rng.nextUniform()      // in [0, 1)
/// ```
public struct SplitMix64: RandomNumberGenerator, Codable, Equatable {
    /// The full generator state.
    public var state: UInt64

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// Next 64 random bits: state += 0x9E3779B97F4A7C15, then the SplitMix finaliser.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform Float in [0, 1) from the top 24 bits.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Standard normal by Box-Muller (uses two uniforms per call; no cached second value, so the
    /// state alone fixes the stream).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// Uniform integer in 0..<upperBound.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0)
        return Int(next() % UInt64(upperBound))
    }

    /// An independent generator derived from this one (for a sub-task such as one worker's augmentation).
    public mutating func split() -> SplitMix64 { SplitMix64(seed: next()) }
}

import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
