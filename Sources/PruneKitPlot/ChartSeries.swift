import Foundation

/// One measured point of a series: `x`, `y`, and optionally a spread drawn as an error bar from
/// `y - deviation` to `y + deviation` (for example one standard deviation over seeds).
///
/// ```swift
/// let point = ChartPoint(x: 0.5, y: 91.2, deviation: 0.4)
/// ```
public struct ChartPoint: Equatable, Sendable {
    /// Horizontal value.
    public var x: Double
    /// Vertical value.
    public var y: Double
    /// Half the length of the error bar, or nil for none.
    public var deviation: Double?

    /// A point; `deviation` nil draws no error bar.
    public init(x: Double, y: Double, deviation: Double? = nil) {
        (self.x, self.y, self.deviation) = (x, y, deviation)
    }

    /// Whether the point can be drawn (both coordinates finite); other points are left out of the chart.
    var isFinite: Bool { x.isFinite && y.isFinite }

    /// The error bar's half length when there is one worth drawing (finite and positive).
    var errorBar: Double? { deviation.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
}

/// A named line through measured points, drawn in the given order with a marker at every point and named in the
/// legend. Colours and marker shapes are assigned by the series' position in the chart.
///
/// ```swift
/// let l1 = ChartSeries(name: "l1", points: [ChartPoint(x: 0.3, y: 92.1, deviation: 0.2),
///                                           ChartPoint(x: 0.5, y: 91.4, deviation: 0.3)])
/// let taylor = ChartSeries(name: "taylor", x: [0.3, 0.5], y: [92.4, 91.9])
/// ```
public struct ChartSeries: Equatable, Sendable {
    /// The legend entry.
    public var name: String
    /// The points, joined in this order.
    public var points: [ChartPoint]

    /// A series from points.
    public init(name: String, points: [ChartPoint]) {
        (self.name, self.points) = (name, points)
    }

    /// A series from parallel arrays; `deviations`, when given, holds one error bar half-length per point.
    /// Extra elements of the longer array are ignored.
    public init(name: String, x: [Double], y: [Double], deviations: [Double]? = nil) {
        let count = min(x.count, y.count, deviations?.count ?? Int.max)
        self.init(name: name, points: (0..<count).map { ChartPoint(x: x[$0], y: y[$0], deviation: deviations?[$0]) })
    }
}
