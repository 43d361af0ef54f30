import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// `Model.checkForwardMemory`: a model inside every `ModelLimits` bound can still ask for more memory than the
/// machine has once a batch multiplies its activations; the forward pass refuses with `allocationFailed`
/// naming the layer and the batch before it allocates anything.
final class ModelsForwardMemoryTests: XCTestCase {
    /// LeNet-5 with 65,536 conv1 filters and 1 conv2 filter: 13 MB of weights, within every limit, but conv1's
    /// output is 65,536 x 24 x 24 = 37.7 M floats per image and conv2's im2col 65,536·25 x 8·8 = 104.9 M.
    private func wideLeNet() throws -> Model {
        var spec = ModelSpec.leNet5()
        spec.widths[0].width = 65_536
        spec.widths[1].width = 1
        return try Model(spec: spec, seed: 1)
    }

    func testLargestBufferIsConv2Columns() throws {
        let model = try wideLeNet()
        XCTAssertEqual(model.largestBufferPerImage.layer, "conv2")
        XCTAssertEqual(model.largestBufferPerImage.elements, 65_536 * 25 * 8 * 8)
    }

    func testABatchBeyondPhysicalMemoryIsAThrownErrorNotATrap() throws {
        let model = try wideLeNet()
        let memory = ProcessInfo.processInfo.physicalMemory
        let batch = Int(memory / UInt64(65_536 * 25 * 64 * 4)) + 1  // 256 on a 24 GiB machine
        XCTAssertNoThrow(try model.checkForwardMemory(batchSize: 1))
        XCTAssertThrowsError(try model.checkForwardMemory(batchSize: batch)) { error in
            guard case let .allocationFailed(purpose, bytes, reason)? = error as? PruneKitError else { return XCTFail("\(error)") }
            XCTAssertTrue(purpose.contains("'conv2'") && purpose.contains("batch of \(batch)"), purpose)
            XCTAssertEqual(bytes, "\(65_536 * 25 * 64 * 4 * batch)")
            XCTAssertTrue(reason.contains("physical memory"), reason)
        }
        // Through the forward pass itself, before any activation is allocated (the input is the only big buffer).
        let input = Variable(Tensor(zeros: [batch, 1, 28, 28]))
        assertThrowsPruneKitError(["'conv2'", "physical memory"]) {
            _ = try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }
        }
    }

    func testZooModelsAtBatch128PassTheCheck() throws {
        for name in ["lenet5", "resnet20", "vgg16", "wrn-16-4"] {
            XCTAssertNoThrow(try ModelZoo.build(name: name, seed: 1).checkForwardMemory(batchSize: 128), name)
        }
    }
}
