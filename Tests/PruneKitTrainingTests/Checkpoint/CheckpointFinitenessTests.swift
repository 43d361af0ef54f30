import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// The scan for NaN and infinite values in a loaded checkpoint (weights, BN buffers, optimizer state).
final class CheckpointFinitenessTests: XCTestCase {
    private var folder = ""
    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "checkpoint-finite-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testHealthyCheckpointHasNoNonFiniteTensors() throws {
        let path = folder + "/healthy.safetensors"
        try ModelCheckpoint(model: try ModelZoo.build(name: "lenet5", seed: 1)).write(to: path)
        let checkpoint = try ModelCheckpoint.read(path: path)
        XCTAssertEqual(checkpoint.nonFiniteTensors(), [])
        XCTAssertNil(checkpoint.nonFiniteSummary())
        XCTAssertNoThrow(try checkpoint.requireFiniteValues(path: path))
    }

    /// Poisoned weights and momentum survive the file round trip and are named with their counts.
    func testPoisonedTensorsAreNamedWithCounts() throws {
        let model = try ModelZoo.build(name: "lenet5", seed: 1)
        let parameters = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0) })
        parameters["conv1.weight"]!.value[flat: 0] = .nan
        parameters["conv1.weight"]!.value[flat: 7] = -.infinity
        parameters["fc2.bias"]!.value[flat: 2] = .infinity
        let momentum = try Tensor(shape: [2], scalars: [1, .nan])
        let path = folder + "/poisoned.safetensors"
        try ModelCheckpoint(model: model, optimizerState: ["conv2.bias.momentum_buffer": momentum]).write(to: path)
        let checkpoint = try ModelCheckpoint.read(path: path)
        let weightCount = parameters["conv1.weight"]!.value.count, biasCount = parameters["fc2.bias"]!.value.count
        XCTAssertEqual(checkpoint.nonFiniteTensors(), [
            NonFiniteTensor(name: "conv1.weight", nonFiniteCount: 2, count: weightCount),
            NonFiniteTensor(name: "fc2.bias", nonFiniteCount: 1, count: biasCount),
            NonFiniteTensor(name: "optimizer.conv2.bias.momentum_buffer", nonFiniteCount: 1, count: 2),
        ])
        XCTAssertEqual(checkpoint.nonFiniteSummary(limit: 2),
                       "NaN or infinite values in 3 tensors: conv1.weight (2 of \(weightCount) values), fc2.bias (1 of \(biasCount) values) and 1 more")
        XCTAssertThrowsError(try checkpoint.requireFiniteValues(path: path)) { error in
            guard case let .malformedFile(errorPath, expected, found)? = error as? PruneKitError else { return XCTFail("\(error)") }
            XCTAssertEqual(errorPath, path)
            XCTAssertEqual(expected, "finite weights")
            XCTAssertTrue(found.contains("conv1.weight (2 of") && found.contains("optimizer.conv2.bias.momentum_buffer"), found)
        }
    }
}
