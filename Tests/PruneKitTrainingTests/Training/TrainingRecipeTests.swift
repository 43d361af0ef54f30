import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// The fast-recipe parts of training: weight decay that spares batch-norm parameters and biases, flip test-time
/// averaging, evaluation every N epochs, the per-family recommended recipe, and old checkpoints' configs.
final class TrainingRecipeTests: XCTestCase {
    /// lr 0.1, weight decay 0.01 on the matrix and 0 on the vector, no momentum, zero gradient: the matrix shrinks by
    /// 1 - 0.1 * 0.01 = 0.999, the vector stays; with `vectorWeightDecay` nil both shrink.
    func testVectorWeightDecaySparesRankOneParameters() throws {
        for (vectorDecay, expectedVector) in [(Float?(0), Float(2)), (nil, 1.998)] {
            let matrix = Variable(parameter: try Tensor(shape: [1, 2], scalars: [1, -3]), name: "fc.weight")
            let vector = Variable(parameter: try Tensor(shape: [1], scalars: [2]), name: "bn.weight")
            let optimizer = try SGD(learningRate: 0.1, weightDecay: 0.01, vectorWeightDecay: vectorDecay)
            for parameter in [matrix, vector] { parameter.gradient = Tensor(zeros: parameter.value.shape) }
            optimizer.step([matrix, vector])
            assertClose(matrix.value, [0.999, -2.997], relative: 1e-6)
            assertClose(vector.value, [expectedVector], relative: 1e-6, "vector weight decay \(String(describing: vectorDecay))")
        }
        XCTAssertThrowsError(try SGD(learningRate: 0.1, vectorWeightDecay: -1))
        var config = TrainConfig()
        config.vectorWeightDecay = 0.25
        XCTAssertEqual(try config.makeOptimizer().vectorWeightDecay, 0.25)
    }

    func testMirrorReversesTheLastAxis() throws {
        let images = try Tensor(shape: [1, 2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(images.mirroredHorizontally().scalars, [3, 2, 1, 6, 5, 4])
        XCTAssertEqual(images.mirroredHorizontally().shape, [1, 2, 1, 3])
        XCTAssertEqual(images.mirroredHorizontally().mirroredHorizontally(), images)
    }

    /// A linear model on [B, 1, 1, 2] images: logits with the flip are the mean of f(x) and f(mirror x), computed by hand.
    /// Weights [[1, 0], [0, 1]] make f(x) = x and f(mirror x) = reversed x, so both classes score (x0 + x1) / 2 and
    /// the arg-max is class 0 (first of a tie) for every image.
    func testFlipAveragingAveragesTheLogitsOfBothImages() throws {
        var generator = SplitMix64(seed: 1)
        let fc = Linear(name: "fc", inputFeatures: 2, outputFeatures: 2, generator: &generator)
        fc.weight.value = try Tensor(shape: [2, 2], scalars: [1, 0, 0, 1])
        fc.bias!.value = Tensor(zeros: [2])
        let model = Sequential([Flatten(), fc])
        let batches = TensorBatches([(try Tensor(shape: [2, 1, 1, 2], scalars: [3, 1, 0, 4]), [0, 1])])
        let plain = try Evaluator.evaluate(model, on: batches, classCount: 2)
        let mirrored = try Evaluator.evaluate(model, on: batches, classCount: 2, mirrored: true)
        XCTAssertEqual(plain.accuracy, 1)          // argmax [3, 1] = 0, argmax [0, 4] = 1
        XCTAssertEqual(mirrored.accuracy, 0.5)     // [2, 2] and [2, 2]: class 0 both times
        XCTAssertEqual(mirrored.loss, Float(log(2.0)), accuracy: 1e-6, "equal logits: cross-entropy log 2")
    }

    /// With `evaluationInterval` 2 over 3 epochs, epochs 2 and 3 (the last) are evaluated, epoch 1 is not.
    func testEvaluationIntervalSkipsEpochsButNotTheLast() throws {
        var generator = SplitMix64(seed: 2)
        let model = Sequential([Flatten(), Linear(name: "fc", inputFeatures: 4, outputFeatures: 2, generator: &generator)])
        let data = TensorBatches([(Tensor.normal(shape: [4, 1, 2, 2], generator: &generator), [0, 1, 1, 0])])
        var config = TrainConfig()
        (config.epochs, config.learningRate) = (3, 0.01)
        let trainer = Trainer(model: model, optimizer: try config.makeOptimizer(), config: config, training: data, evaluation: data, classCount: 2)
        trainer.evaluationInterval = 2
        let state = try trainer.fit(from: TrainingState(seed: 1))
        XCTAssertEqual(state.history.map { $0.testAccuracy != nil }, [false, true, true])
        XCTAssertTrue([1, 2].contains(state.bestEpoch), "best of the evaluated epochs, got \(state.bestEpoch)")
    }

    func testRecommendedRecipePerFamily() {
        let batchNorm = TrainConfig.recommended(batchNormalized: true, dataset: .cifar10)
        XCTAssertEqual(batchNorm.batchSize, 64)
        XCTAssertEqual(batchNorm.learningRate, 0.1)
        XCTAssertEqual(batchNorm.schedule, .cosine)
        XCTAssertEqual(batchNorm.warmupEpochs, 1)
        XCTAssertEqual(batchNorm.labelSmoothing, 0.1)
        XCTAssertEqual(batchNorm.vectorWeightDecay, 0)
        XCTAssertEqual(batchNorm.weightDecay, 5e-4)
        XCTAssertTrue(batchNorm.testTimeFlip, "CIFAR trains with flips, so it tests with them")
        XCTAssertFalse(TrainConfig.recommended(batchNormalized: true, dataset: .mnist).testTimeFlip, "digits are not mirror-symmetric")
        let plain = TrainConfig.recommended(batchNormalized: false, dataset: .mnist)
        XCTAssertEqual(plain.learningRate, 0.05)
        XCTAssertEqual(plain.schedule, .oneCycle)
        XCTAssertEqual(plain.batchSize, 64)
        XCTAssertNil(plain.vectorWeightDecay)
        XCTAssertEqual(plain.labelSmoothing, 0)
    }

    /// Old train_config JSON lacks the new fields: every tensor decayed alike, plain evaluation; new fields round-trip.
    func testNewFieldsDecodeFromOldConfigsAndRoundTrip() throws {
        let old = """
            {"batchSize":64,"epochs":2,"labelSmoothing":0,"learningRate":0.02,"momentum":0.9,"nesterov":false,\
            "schedule":{"constant":{}},"seed":5,"warmupEpochs":0,"weightDecay":0.0005}
            """
        let decoded = try JSONDecoder().decode(TrainConfig.self, from: Data(old.utf8))
        XCTAssertNil(decoded.vectorWeightDecay)
        XCTAssertFalse(decoded.testTimeFlip)
        let recipe = TrainConfig.recommended(batchNormalized: true, dataset: .cifar10)
        XCTAssertEqual(try JSONDecoder().decode(TrainConfig.self, from: JSONEncoder().encode(recipe)), recipe)
    }
}
