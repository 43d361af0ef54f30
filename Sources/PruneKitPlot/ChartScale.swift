import Foundation

/// A linear map from data values to pixels: `lower` goes to `start` and `upper` to `end` (for the y axis `start`
/// is the bottom edge, since SVG's y grows downwards).
///
/// ```swift
/// let x = ChartScale(lower: 0, upper: 1, start: 70, end: 670)
/// x.pixel(0.25)   // 220
/// ```
struct ChartScale: Equatable {
    /// The data value at `start`.
    let lower: Double
    /// The data value at `end`.
    let upper: Double
    /// The pixel coordinate of `lower`.
    let start: Double
    /// The pixel coordinate of `upper`.
    let end: Double

    /// The pixel coordinate of `value`; values outside lower...upper map outside start...end.
    func pixel(_ value: Double) -> Double {
        upper == lower ? (start + end) / 2 : start + (value - lower) / (upper - lower) * (end - start)
    }

    /// Whether `value` lies within the scale's data range.
    func contains(_ value: Double) -> Bool { value >= min(lower, upper) && value <= max(lower, upper) }
}
