import Foundation

/// A dashed guide line drawn behind the data and named in the legend. The axes stretch to keep it in view: a
/// horizontal line's `y` is inside the y range, a vertical line's `x` inside the x range, and the diagonal
/// y = x makes the y range cover the data's x range too, so that the ideal line crosses the whole plot.
///
/// ```swift
/// let dense = ReferenceLine.horizontal(y: 93.4, label: "dense 93.40%")
/// let ideal = ReferenceLine.diagonal(label: "ideal (speedup = FLOPs ratio)")
/// ```
public enum ReferenceLine: Equatable, Sendable {
    /// The line y = `y` across the plot, e.g. the unpruned model's accuracy.
    case horizontal(y: Double, label: String)
    /// The line x = `x` across the plot.
    case vertical(x: Double, label: String)
    /// The line y = x, e.g. the ideal speedup against the FLOPs ratio.
    case diagonal(label: String)

    /// The legend text.
    public var label: String {
        switch self {
        case .horizontal(_, let label), .vertical(_, let label), .diagonal(let label): return label
        }
    }
}
