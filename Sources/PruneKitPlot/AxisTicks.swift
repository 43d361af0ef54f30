import Foundation

/// Round tick values for an axis: Heckbert's "nice numbers" (Graphics Gems, 1990) with loose labelling. The step
/// is 1, 2 or 5 times a power of ten, the axis is widened outwards to the nearest multiples of the step, and
/// among the steps the one is taken whose tick count falls in `targetCount` (5...8 by default) with the least
/// widening, where one tick more or fewer than the target weighs as much as a quarter of the range in
/// widening. Every tick is an integer multiple of the step, so a label is that integer with the decimal point
/// moved: exact (`0.1`, never `0.09999` or `0.10000001`), with just the decimals the step needs, and never
/// two labels alike. Magnitudes below 0.001 or from 10⁶ up are labelled in scientific form (`1.5e-4`).
///
/// ```swift
/// let ticks = AxisTicks(covering: 0.37...0.93)
/// ticks.values   // [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
/// ticks.labels   // ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"]
/// ```
public struct AxisTicks: Equatable, Sendable {
    /// The first tick, where the axis starts (at or below the covered range's lower bound).
    public var lower: Double { values.first ?? 0 }
    /// The last tick, where the axis ends (at or above the covered range's upper bound).
    public var upper: Double { values.last ?? 1 }
    /// The distance between neighbouring ticks: 1, 2 or 5 times a power of ten.
    public let step: Double
    /// Tick values in increasing order; the nearest doubles to the exact decimal multiples of `step`.
    public let values: [Double]
    /// One label per tick, distinct and exact.
    public let labels: [String]

    /// Ticks for an axis that must show `range`. A range of zero width is widened by 10% of its value either
    /// side (or to -1...1 around zero); a non-finite range is replaced by 0...1.
    public init(covering range: ClosedRange<Double>, targetCount: ClosedRange<Int> = 5...8) {
        var (low, high) = (range.lowerBound, range.upperBound)
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if high - low <= abs(high) * 1e-12 {
            let half = low == 0 ? 1 : abs(low) / 10
            (low, high) = (low - half, high + half)
        }
        let grid = TickGrid.best(low: low, high: high, targetCount: targetCount)
        step = grid.value(grid.mantissa)
        values = (0..<grid.count).map { grid.value((grid.firstIndex + $0) * grid.mantissa) }
        labels = grid.labels()
    }
}

/// Ticks at multiples `(firstIndex + i) · mantissa · 10^exponent`, held as integers so that values and labels
/// are exact.
struct TickGrid {
    /// 1, 2 or 5.
    let mantissa: Int
    /// The power of ten of the step.
    let exponent: Int
    /// The first tick is `firstIndex · mantissa · 10^exponent`.
    let firstIndex: Int
    /// The number of ticks.
    let count: Int

    /// Tolerance for deciding that a bound already sits on a multiple of the step (0.3 / 0.1 is 2.9999999999999996).
    static let onGrid = 1e-9

    /// The grid that widens `low...high` least, counting a tick outside `targetCount` as a quarter of the range
    /// and ruling out grids two or more ticks outside it (unless nothing else is left).
    static func best(low: Double, high: Double, targetCount: ClosedRange<Int>) -> TickGrid {
        let magnitude = Int(log10(high - low).rounded(.down))
        var best: (grid: TickGrid, score: (Double, Int, Int))?
        for exponent in (magnitude - 2)...(magnitude + 1) {
            for mantissa in [1, 2, 5] {
                let step = Double(mantissa) * power(exponent)
                let first = (low / step + onGrid).rounded(.down), last = (high / step - onGrid).rounded(.up)
                guard abs(first) < 1e15, abs(last) < 1e15 else { continue }
                let grid = TickGrid(mantissa: mantissa, exponent: exponent, firstIndex: Int(first), count: Int(last - first) + 1)
                let outside = max(targetCount.lowerBound - grid.count, grid.count - targetCount.upperBound, 0)
                let widening = (last - first) * step / (high - low) - 1
                // One tick more or less than the target costs as much as widening the axis by a quarter of the
                // range: 20...80 then gets 9 ticks from 10 to 90 rather than 6 from 0 to 100.
                let cost = outside <= 1 ? widening + 0.25 * Double(outside) : 10 + Double(outside)
                let middle = (targetCount.lowerBound + targetCount.upperBound) / 2
                let score = ((cost * 1e6).rounded(), outside, abs(grid.count - middle))
                if best == nil || score < best!.score { best = (grid, score) }
            }
        }
        if let best { return best.grid }
        // Every step above left a bound more than 10^15 steps from zero; since ranges narrower than 10^-12 of their
        // values were widened by the caller, this does not happen, but a coarser power of ten would still be exact.
        for exponent in (magnitude + 2)...308 {
            let first = (low / power(exponent)).rounded(.down), last = (high / power(exponent)).rounded(.up)
            if abs(first) < 1e15, abs(last) < 1e15 {
                return TickGrid(mantissa: 1, exponent: exponent, firstIndex: Int(first), count: Int(last - first) + 1)
            }
        }
        return TickGrid(mantissa: 1, exponent: 0, firstIndex: 0, count: 2)
    }

    /// 10^exponent, exact up to 10^22 and, for negative exponents, the correctly rounded reciprocal's source.
    static func power(_ exponent: Int) -> Double { Double("1e\(exponent)") ?? 1 }

    /// The double nearest `multiple · 10^exponent` (division by an exact power of ten rounds once, correctly).
    func value(_ multiple: Int) -> Double {
        exponent >= 0 ? Double(multiple) * TickGrid.power(exponent) : Double(multiple) / TickGrid.power(-exponent)
    }

    /// Exact decimal labels, in scientific form below 0.001 or from 10⁶ up.
    func labels() -> [String] {
        let multiples = (0..<count).map { (firstIndex + $0) * mantissa }
        let largest = multiples.map(\.magnitude).max() ?? 0
        let digits = String(largest).count
        let scale = digits - 1 + exponent   // largest = d.ddd · 10^scale
        if largest != 0 && (scale < -3 || scale >= 6) {
            let decimals = digits - 1
            return multiples.map { $0 == 0 ? "0" : TickGrid.decimal($0, decimals: decimals) + "e\(scale)" }
        }
        if exponent >= 0 { return multiples.map { $0 == 0 ? "0" : "\($0)" + String(repeating: "0", count: exponent) } }
        return multiples.map { TickGrid.decimal($0, decimals: -exponent) }
    }

    /// `multiple / 10^decimals` written out exactly (`decimal(-15, decimals: 2)` is `-0.15`).
    static func decimal(_ multiple: Int, decimals: Int) -> String {
        guard decimals > 0 else { return "\(multiple)" }
        let digits = String(multiple.magnitude)
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -decimals)
        return (multiple < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
    }
}
