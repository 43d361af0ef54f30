import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitTraining
import PruneKitTestSupport

/// Every checkpoint in Models/ (all written before networks were graphs, with a zoo spec and no `graph` field) still
/// loads, runs as the graph its stored spec builds, and evaluates.
final class ReferenceCheckpointGraphTests: XCTestCase {
    func testEveryReferenceCheckpointLoadsAsItsSpecsGraphAndEvaluates() throws {
        let directory = ReferenceCheckpointTests.specDirectory
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".safetensors") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 2, "Models/ holds lenet5-mnist and resnet20-cifar10-jpeg at least: \(files)")
        for file in files {
            let path = directory.appendingPathComponent(file).path
            let checkpoint = try ModelCheckpoint.read(path: path)
            let (model, spec) = (checkpoint.model, checkpoint.model.spec)
            XCTAssertNotEqual(spec.family, .graph, "\(file) predates graph specs: its spec is a zoo family's")
            XCTAssertNil(spec.graph, file)
            XCTAssertEqual(model.graph, try spec.networkGraph(), "\(file): the model runs the graph its stored spec builds")
            XCTAssertEqual(spec.usesBatchNorm, model.graph.nodes.contains { $0.operation == .batchNorm }, file)
            let input = Variable(randomTensor([3] + spec.inputShape, seed: 5))
            let logits = try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }.value
            XCTAssertEqual(logits.shape, [3, spec.classCount], file)
            XCTAssertTrue(logits.scalars.allSatisfy(\.isFinite), "\(file): finite logits")
            XCTAssertGreaterThan(logits.scalars.map(abs).max() ?? 0, 0, "\(file): the weights were loaded (not all-zero logits)")
        }
    }
}
