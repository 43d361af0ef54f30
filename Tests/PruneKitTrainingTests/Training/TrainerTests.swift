import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

final class TrainerTests: XCTestCase {
    private func makeModel() -> Sequential {
        var generator = SplitMix64(seed: 5)
        return Sequential([
            Conv2d(name: "conv", inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1, generator: &generator),
            BatchNorm(name: "bn", channels: 4), ReLU(), Flatten(), Dropout(probability: 0.2),
            Linear(name: "fc", inputFeatures: 4 * 4 * 4, outputFeatures: 3, generator: &generator),
        ])
    }

    private func makeData() -> TensorBatches {
        var generator = SplitMix64(seed: 9)
        return TensorBatches((0..<4).map { _ in
            (Tensor.normal(shape: [8, 1, 4, 4], generator: &generator), (0..<8).map { _ in generator.nextInt(below: 3) })
        })
    }

    private func config(epochs: Int) -> TrainConfig {
        var config = TrainConfig()
        (config.epochs, config.learningRate, config.schedule, config.seed) = (epochs, 0.05, .cosine, 3)
        return config
    }

    /// Resuming from an epoch boundary (weights, BN buffers, momentum, dropout generator, epoch) gives
    /// bit-identical weights to the uninterrupted run.
    func testResumeEqualsUninterruptedRun() throws {
        let straight = makeModel()
        let straightTrainer = Trainer(model: straight, optimizer: try config(epochs: 4).makeOptimizer(), config: config(epochs: 4),
                                      training: makeData(), evaluation: makeData(), classCount: 3)
        let finalState = try straightTrainer.fit(from: TrainingState(seed: 3))

        let first = makeModel()
        let firstOptimizer = try config(epochs: 4).makeOptimizer()
        let interrupted = Trainer(model: first, optimizer: firstOptimizer, config: config(epochs: 4), training: makeData(),
                                  evaluation: makeData(), classCount: 3)
        var saved: (TrainingState, [Tensor], [String: Tensor], [Tensor])?
        interrupted.onEpochEnd = { state in
            if state.completedEpochs == 2 {
                let buffers = first.allLayers.compactMap { $0 as? BatchNorm }.flatMap { [$0.statistics.runningMean, $0.statistics.runningVariance] }
                saved = (state, first.parameters.map(\.value), firstOptimizer.stateTensors(), buffers)
                throw CancellationError()  // the "kill"
            }
        }
        XCTAssertThrowsError(try interrupted.fit(from: TrainingState(seed: 3)))
        let (state, weights, momentum, buffers) = try XCTUnwrap(saved)

        let resumed = makeModel()  // different object, same architecture; everything comes from the "checkpoint"
        for (parameter, value) in zip(resumed.parameters, weights) { parameter.value = value }
        let norms = resumed.allLayers.compactMap { $0 as? BatchNorm }
        norms[0].statistics.runningMean = buffers[0]; norms[0].statistics.runningVariance = buffers[1]
        let resumedOptimizer = try config(epochs: 4).makeOptimizer()
        try resumedOptimizer.loadStateTensors(momentum)
        let resumedState = try Trainer(model: resumed, optimizer: resumedOptimizer, config: config(epochs: 4), training: makeData(),
                                       evaluation: makeData(), classCount: 3).fit(from: state)
        for (a, b) in zip(straight.parameters, resumed.parameters) { XCTAssertEqual(a.value, b.value, "\(a.name) differs after resume") }
        let timeless = { (records: [EpochRecord]) in records.map { r -> EpochRecord in var r = r; r.seconds = 0; r.imagesPerSecond = 0; return r } }
        XCTAssertEqual(timeless(resumedState.history), timeless(finalState.history), "losses and accuracies of every epoch")
        XCTAssertEqual(resumedState.completedEpochs, 4)
        XCTAssertEqual(resumedState.globalIteration, 16)
    }

    /// Hooks run in the documented order, and a hook can stop training.
    func testHookOrderAndStop() throws {
        final class Recorder: TrainingHook {
            var events: [String] = []
            func beforeTraining(_ c: TrainingContext) { events.append("start") }
            func beforeEpoch(_ c: TrainingContext) { events.append("epoch\(c.epoch)") }
            func beforeIteration(_ c: TrainingContext) {
                events.append(c.model.parameters.allSatisfy { $0.gradient == nil || $0.gradient!.scalars.allSatisfy { $0 == 0 } } ? "iteration" : "iteration-stale-gradients")
            }
            func afterBackward(_ c: TrainingContext) {
                events.append(c.model.parameters.allSatisfy { $0.gradient != nil } ? "backward" : "backward-missing-gradients")
            }
            func afterOptimizerStep(_ c: TrainingContext) { events.append("step"); if c.globalIteration == 4 { c.shouldStop = true } }
            func afterEpoch(_ c: TrainingContext) { events.append("end\(c.epoch)") }
        }
        let recorder = Recorder()
        let trainer = Trainer(model: makeModel(), optimizer: try config(epochs: 3).makeOptimizer(), config: config(epochs: 3),
                              training: makeData(), evaluation: nil, classCount: 3)
        trainer.hooks = [recorder]
        let state = try trainer.fit(from: TrainingState(seed: 1))
        XCTAssertEqual(recorder.events, ["start", "epoch0"] + Array(repeating: ["iteration", "backward", "step"], count: 4).flatMap { $0 }
                       + ["end0", "epoch1", "iteration", "backward", "step", "end1"])
        XCTAssertEqual(state.completedEpochs, 2, "stop requested in epoch 1 ends training after it")
    }
}
