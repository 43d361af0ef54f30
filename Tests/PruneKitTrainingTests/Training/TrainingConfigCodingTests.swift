import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// TrainConfig's augmentation and shuffling: recorded in checkpoints, absent from old ones (today's behaviour),
/// and turned into the training loader's configuration.
final class TrainingConfigCodingTests: XCTestCase {
    /// The train_config of a checkpoint written before the fields existed (LeNet-5 run, 2026).
    private let oldJSON = """
        {"batchSize":64,"epochs":2,"labelSmoothing":0,"learningRate":0.02,"momentum":0.9,"nesterov":false,\
        "schedule":{"constant":{}},"seed":5,"warmupEpochs":0,"weightDecay":0.0005}
        """

    func testOldConfigDecodesWithTheDatasetsAugmentationShuffled() throws {
        let config = try JSONDecoder().decode(TrainConfig.self, from: Data(oldJSON.utf8))
        XCTAssertNil(config.augmentation)
        XCTAssertTrue(config.shuffle)
        XCTAssertEqual(config.batchSize, 64)
        XCTAssertEqual(config.trainingLoaderConfig(for: .cifar10), .training(for: .cifar10, batchSize: 64, seed: 5))
        XCTAssertEqual(config.trainingLoaderConfig(for: .mnist), .training(for: .mnist, batchSize: 64, seed: 5))
        XCTAssertEqual(config.resolvingAugmentation(for: .cifar10).augmentation, .cifarTraining)
    }

    func testFieldsRoundTripAndReachTheLoader() throws {
        var config = TrainConfig()
        (config.augmentation, config.shuffle, config.seed) = (Augmentation.none, false, 9)
        let decoded = try JSONDecoder().decode(TrainConfig.self, from: JSONEncoder().encode(config))
        XCTAssertEqual(decoded, config)
        let loader = decoded.trainingLoaderConfig(for: .cifar10)
        XCTAssertEqual(loader.augmentation, Augmentation.none, "an explicit choice beats the dataset's default")
        XCTAssertFalse(loader.shuffle)
        XCTAssertEqual(loader.seed, 9)
        XCTAssertEqual(loader.batchSize, config.batchSize)
    }

    func testMissingOriginalFieldStillFails() {
        let broken = oldJSON.replacingOccurrences(of: "\"batchSize\":64,", with: "")
        XCTAssertThrowsError(try JSONDecoder().decode(TrainConfig.self, from: Data(broken.utf8)))
    }
}
