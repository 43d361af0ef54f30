import XCTest
@testable import PruneKitPlot
import PruneKitTestSupport
import PruneKitCore

/// Tick placement and labels, checked against numbers worked out by hand from the 1-2-5 rule.
final class PlotAxisTicksTests: XCTestCase {
    private func assertTicks(_ range: ClosedRange<Double>, _ values: [Double], _ labels: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        let ticks = AxisTicks(covering: range)
        XCTAssertEqual(ticks.values, values, "values for \(range)", file: file, line: line)
        XCTAssertEqual(ticks.labels, labels, "labels for \(range)", file: file, line: line)
    }

    func testRatioRangeGetsStepTwoTenthsFromZeroToOne() {
        // 0.1 steps would give 9 ticks (over 8); 0.2 steps give 6 and widen the range by a quarter.
        assertTicks(0.1...0.9, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        assertTicks(0...1, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    func testUnalignedRangesWidenToTheNeighbouringMultiples() {
        assertTicks(0.37...0.93, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
        assertTicks(13.2...97.8, [0, 20, 40, 60, 80, 100], ["0", "20", "40", "60", "80", "100"])
        assertTicks(97.31...99.12, [97, 97.5, 98, 98.5, 99, 99.5], ["97.0", "97.5", "98.0", "98.5", "99.0", "99.5"])
    }

    func testTinyValuesAreLabelledInScientificForm() {
        assertTicks(1e-4...3e-4, [1e-4, 1.5e-4, 2e-4, 2.5e-4, 3e-4], ["1.0e-4", "1.5e-4", "2.0e-4", "2.5e-4", "3.0e-4"])
        assertTicks(0...2.5e6, [0, 5e5, 1e6, 1.5e6, 2e6, 2.5e6], ["0", "0.5e6", "1.0e6", "1.5e6", "2.0e6", "2.5e6"])
    }

    func testNegativeRanges() {
        assertTicks(-7.3 ... -2.1, [-8, -7, -6, -5, -4, -3, -2], ["-8", "-7", "-6", "-5", "-4", "-3", "-2"])
        assertTicks(-0.35...0.35, [-0.4, -0.2, 0, 0.2, 0.4], ["-0.4", "-0.2", "0.0", "0.2", "0.4"])
    }

    func testZeroWidthRangesAreWidenedAroundTheValue() {
        assertTicks(5...5, [4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6], ["4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"])
        assertTicks(0...0, [-1, -0.5, 0, 0.5, 1], ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
        assertTicks(-.infinity...1, [0, 0.2, 0.4, 0.6, 0.8, 1], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    func testSmallerTargetsGiveFewerTicks() {
        XCTAssertEqual(AxisTicks(covering: 0...1, targetCount: 2...3).labels, ["0", "1"])
        XCTAssertEqual(AxisTicks(covering: 0...1, targetCount: 3...4).labels, ["0.0", "0.5", "1.0"])
    }

    /// Over seeded random ranges of many magnitudes: every label parses back to exactly its tick's value, labels
    /// are distinct, ticks step evenly and the axis covers the range with at most one step to spare each side.
    func testEveryLabelIsExactAndDistinctOverRandomRanges() {
        var generator = SplitMix64(seed: 14)
        for _ in 0..<2_000 {
            let magnitude = pow(10, Double.random(in: -7...7, using: &generator))
            let low = Double.random(in: -1...1, using: &generator) * magnitude
            let high = low + Double.random(in: 0.01...3, using: &generator) * magnitude
            let ticks = AxisTicks(covering: low...high)
            XCTAssertEqual(Set(ticks.labels).count, ticks.labels.count, "duplicate labels \(ticks.labels) for \(low)...\(high)")
            XCTAssertTrue((4...9).contains(ticks.values.count), "\(ticks.values.count) ticks for \(low)...\(high)")
            XCTAssertLessThanOrEqual(ticks.lower, low)
            XCTAssertGreaterThanOrEqual(ticks.upper, high)
            XCTAssertLessThan(low - ticks.lower, ticks.step * (1 + 1e-9))
            XCTAssertLessThan(ticks.upper - high, ticks.step * (1 + 1e-9))
            for (value, label) in zip(ticks.values, ticks.labels) {
                XCTAssertEqual(Double(label), value, "label \(label) for tick \(value) in \(low)...\(high)")
            }
            for (previous, next) in zip(ticks.values, ticks.values.dropFirst()) {
                XCTAssertEqual(next - previous, ticks.step, accuracy: ticks.step * 1e-9)
            }
        }
    }
}
