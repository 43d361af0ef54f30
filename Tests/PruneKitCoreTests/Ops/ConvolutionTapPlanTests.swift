import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// The geometry behind the direct kernels: how conv2d maps onto taps over (phase) planes.
final class ConvolutionTapPlanTests: XCTestCase {
    private func geometry(_ size: Int, kernel: Int, stride: Int, padding: Int) -> WindowGeometry {
        WindowGeometry(channels: 2, height: size, width: size, kernelHeight: kernel, kernelWidth: kernel, stride: stride,
                       padding: padding)
    }

    func testStrideTwoSplitsTapsOverFourPhases() throws {
        // Input row 2*oh + kh - 1: kh = 0 -> odd phase, shift -1; kh = 1 -> even phase, 0; kh = 2 -> odd phase, 0.
        let plan = try XCTUnwrap(ConvolutionTapPlan(geometry(8, kernel: 3, stride: 2, padding: 1)))
        XCTAssertEqual(plan.forwardTaps.map(\.phase), [3, 2, 3, 1, 0, 1, 3, 2, 3])
        XCTAssertEqual(plan.forwardTaps.map(\.rowShift), [-1, -1, -1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(plan.forwardTaps.map(\.columnShift), [-1, 0, 0, -1, 0, 0, -1, 0, 0])
        XCTAssertEqual(plan.adjointTaps.map(\.count), [1, 2, 2, 4])  // every weight tap writes exactly one phase
        XCTAssertEqual(plan.adjointTaps[3].map(\.rowShift), [1, 1, 0, 0])
        XCTAssertEqual(plan.forwardMask.rows, 4)
        XCTAssertEqual(plan.usedPhases, 0b1111)
    }

    func testOneByOneStrideTwoReadsOnlyTheEvenPhase() throws {
        let plan = try XCTUnwrap(ConvolutionTapPlan(geometry(8, kernel: 1, stride: 2, padding: 0)))
        XCTAssertEqual(plan.usedPhases, 0b0001)
        XCTAssertEqual(plan.adjointTaps.map(\.count), [1, 0, 0, 0])
    }

    func testUnpaddedConvolutionUsesColumnPhases() throws {
        // LeNet-5 conv2: 12x12 -> 8x8, 5x5. Phase kw holds the input shifted left by kw in rows of 8.
        let plan = try XCTUnwrap(ConvolutionTapPlan(geometry(12, kernel: 5, stride: 1, padding: 0)))
        XCTAssertTrue(plan.shiftsColumns)
        XCTAssertFalse(plan.pitchesOutput, "output rows are compact")
        XCTAssertFalse(plan.stacksImages)
        XCTAssertEqual(plan.phases, 5)
        XCTAssertEqual([plan.forwardMask.rows, plan.forwardMask.pitch, plan.forwardMask.validColumns], [8, 8, 8])
        XCTAssertEqual([plan.forwardMask.sourceRows, plan.forwardMask.sourceColumns], [12, 8])
        XCTAssertEqual([plan.adjointMask.rows, plan.adjointMask.sourceRows, plan.adjointMask.sourceColumns], [12, 8, 8])
        XCTAssertEqual(plan.forwardTaps.last.map { [Int($0.rowShift), Int($0.columnShift), $0.phase] }, [4, 0, 4])
        XCTAssertEqual(plan.adjointTaps.map(\.count), [5, 5, 5, 5, 5])
        XCTAssertEqual(plan.adjointTaps[2].map(\.rowShift), [0, -1, -2, -3, -4])
    }

    func testPaddedButSmallerOutputKeepsTheInputPitch() throws {
        // 10x10 -> 8x8 with a 5x5 kernel and padding 1: rows stay at the input's pitch.
        let plan = try XCTUnwrap(ConvolutionTapPlan(geometry(10, kernel: 5, stride: 1, padding: 1)))
        XCTAssertFalse(plan.shiftsColumns)
        XCTAssertTrue(plan.pitchesOutput)
        XCTAssertEqual([plan.forwardMask.rows, plan.forwardMask.pitch, plan.forwardMask.validColumns], [8, 10, 8])
        XCTAssertEqual(plan.forwardTaps.last.map { [$0.rowShift, $0.columnShift] }, [3, 3])
    }

    func testUnrepresentableGeometriesFallBack() {
        XCTAssertNil(ConvolutionTapPlan(geometry(7, kernel: 3, stride: 2, padding: 1)))   // odd size, stride 2
        XCTAssertNil(ConvolutionTapPlan(geometry(8, kernel: 3, stride: 1, padding: 2)))   // output larger than input
        XCTAssertNil(ConvolutionTapPlan(geometry(8, kernel: 3, stride: 2, padding: 0)))   // output 3, not 8 / 2
    }
}
