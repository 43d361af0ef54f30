import Foundation

/// One axis of a chart: its title and, optionally, a range to show. Without a range the axis covers the data
/// (with error bars and reference lines) plus a little padding, widened to round tick values, so it starts
/// near the lowest value rather than at zero.
///
/// ```swift
/// let x = ChartAxis(title: "FLOPs kept (%)")
/// let y = ChartAxis(title: "top-1 accuracy (%)", range: 0...100)
/// ```
public struct ChartAxis: Equatable, Sendable {
    /// The axis title, drawn below the x axis or turned along the y axis.
    public var title: String
    /// The values the axis must show; nil to fit the data.
    public var range: ClosedRange<Double>?

    /// An axis with a title and an optional range that must be shown.
    public init(title: String, range: ClosedRange<Double>? = nil) {
        (self.title, self.range) = (title, range)
    }

    /// Fraction of the data's span added either side before rounding out to ticks, so that no marker sits on
    /// the frame.
    static let padding = 0.04

    /// Ticks covering `values` (or `range`), padded; `targetCount` bounds how many.
    func ticks(covering values: [Double], targetCount: ClosedRange<Int>) -> AxisTicks {
        if let range { return AxisTicks(covering: range, targetCount: targetCount) }
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return AxisTicks(covering: 0...1, targetCount: targetCount) }
        let pad = (high - low) * ChartAxis.padding
        return AxisTicks(covering: (low - pad)...(high + pad), targetCount: targetCount)
    }
}
