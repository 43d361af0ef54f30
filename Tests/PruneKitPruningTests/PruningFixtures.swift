import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Helpers for the pruning tests alone (the network-level ones are `NetworkFixtures`).
enum PruningFixtures {
    /// Zeroes the weights through which `units` of `group` leave it: every reader's input channels or columns.
    static func zeroReaderInputs(of group: ChannelGroup, units: [Int], in model: Model) throws {
        for member in group.members where member.role == .input {
            let channels = Set(units.flatMap { member.channels[$0] })
            let layer = try PrunableLayer(model, named: member.layerName)
            let weight = try layer.parameters(for: .input)[0].variable
            let shape = weight.shape, inner = shape.dropFirst(2).reduce(1, *)
            weight.value.withUnsafeMutableBufferPointer { w in
                for o in 0..<shape[0] { for c in channels { for i in 0..<inner { w[(o * shape[1] + c) * inner + i] = 0 } } }
            }
        }
    }
}
