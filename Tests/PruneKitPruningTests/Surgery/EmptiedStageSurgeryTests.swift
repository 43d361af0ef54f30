import XCTest
import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning
import PruneKitTestSupport

/// A ResNet-20 whose second and third stages lost every block keeps only their option-A shortcuts: two pads in a row
/// (16 -> 32 -> 64 channels) between the first stage's stream and the classifier. Removing a channel of that stream
/// must narrow both pads by one and keep their padding (8 and 16 channels a side), in the running network and in the
/// graph a checkpoint records (BPCP on the reference ResNet-20 once failed here: the second pad kept 64 channels
/// while the classifier had 63 columns).
final class EmptiedStageSurgeryTests: XCTestCase {
    func testChannelRemovalBeforeTwoPadsInARowKeepsTheirPadding() throws {
        let dense = try Model(spec: .resNet(depth: 20), seed: 3)
        let emptied = ["layer2.0.add", "layer2.1.add", "layer2.2.add", "layer3.0.add", "layer3.1.add", "layer3.2.add"]
        let model = try StructuralSurgery.removeResidualBlocks(joinedAt: emptied, from: dense)
        let graph = try DependencyGraph(model: model)
        let stream = try XCTUnwrap(graph.groups.first { $0.kind == .residualStream && $0.unitCount == 16 }, "\(graph.groups.map(\.name))")
        try ChannelSurgery.remove(units: [5], of: stream, graph: graph, from: model)
        let input = Variable(randomTensor([2, 3, 32, 32], seed: 4))
        let logits = try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }
        XCTAssertEqual(logits.shape, [2, 10], "the classifier's 63 columns meet a 63-channel stream")
        let pads = try model.currentGraph().nodes.compactMap { node -> Int? in
            if case let .channelPad(outputChannels, _) = node.operation { return outputChannels } else { return nil }
        }
        XCTAssertEqual(pads, [31, 63], "15 + 2 x 8 and 31 + 2 x 16")
        let reloaded = try checkpointRoundTrip(model)
        let again = try GradientMode.withoutGradients { try reloaded(input, ForwardContext(training: false)) }
        assertClose(again.value, logits.value.scalars, relative: 1e-6, absolute: 1e-6)
    }
}
