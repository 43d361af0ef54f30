import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// The checkpoints kept in Models/ load as the dense zoo models they were trained from.
final class ReferenceCheckpointTests: XCTestCase {
    /// The repository's Models/, found from this file's path (Tests/PruneKitTrainingTests/Checkpoint/...).
    static let specDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models")

    func testReferenceCheckpointsLoadAsTheDenseZooModels() throws {
        // The models PruneKit trained itself and keeps in Models/: full width, the zoo's parameter counts and FLOPs.
        for (file, name, parameters, flops) in [("lenet5-mnist", "lenet5", 431_080, 4_586_000),
                                                ("resnet20-cifar10-jpeg", "resnet20", 269_722, 81_102_080)] {
            let path = Self.specDirectory.appendingPathComponent(file + ".safetensors").path
            let model = try ModelCheckpoint.read(path: path).model
            XCTAssertEqual(model.spec, try ModelZoo.spec(named: name), path)
            let cost = try model.cost()
            XCTAssertEqual(cost.parameterCount, parameters, path)
            XCTAssertEqual(cost.flops, flops, path)
        }
    }
}
