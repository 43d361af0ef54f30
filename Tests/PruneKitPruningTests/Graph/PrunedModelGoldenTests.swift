import XCTest
import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning
import PruneKitTestSupport

/// A pruned model of every family equals the one PruneKit produced before networks became graphs (issue 16): the
/// golden widths and weight checksums below were recorded with the hand-written blocks and per-family coupling
/// rules (commit b5922ee) for the same method, target and seed.
final class PrunedModelGoldenTests: XCTestCase {
    /// name -> (kept widths in width-table order, sum of squares of every parameter after pruning).
    static let golden: [String: ([Int], Double)] = [
        "mlp/uniform": ([188, 62], 79.40769634299104),
        "mlp/global": ([188, 60], 78.91056988549985),
        "lenet5/uniform": ([15, 38, 389], 117.54950347062359),
        "lenet5/global": ([12, 44, 478], 157.58291827942784),
        "lenet5-classic/uniform": ([4, 13, 99, 69], 54.03772967356814),
        "lenet5-classic/global": ([4, 12, 108, 66], 54.705057916607736),
        "vgg11/uniform": ([49, 99, 198, 198, 396, 396, 396, 396, 396], 3187.3172481060983),
        "vgg11/global": ([36, 87, 183, 195, 417, 450, 461, 450, 323], 3320.0020463704946),
        "resnet20/uniform": ([12, 12, 12, 12, 24, 25, 25, 25, 48, 51, 51, 51], 1374.2693636671843),
        "resnet20/global": ([13, 9, 12, 9, 29, 17, 20, 20, 59, 50, 48, 49], 1455.7899445627718),
        "resnet20-b/uniform": ([12, 12, 12, 12, 25, 25, 25, 25, 50, 50, 50, 50], 1595.504253613927),
        "resnet20-b/global": ([11, 10, 12, 11, 27, 18, 22, 26, 58, 50, 51, 58], 1712.7788688254263),
        "wrn-16-1/uniform": ([12, 12, 12, 25, 25, 25, 50, 50, 50], 477.81276521015815),
        "wrn-16-1/global": ([12, 11, 10, 26, 20, 26, 55, 51, 56], 497.79726068066645),
        "wrn-16-2/uniform": ([12, 24, 24, 24, 49, 49, 49, 99, 99, 99], 930.0244717189747),
        "wrn-16-2/global": ([10, 24, 22, 21, 56, 46, 47, 110, 95, 104], 973.6769000375391),
    ]

    private func pruned(_ name: String, scope: PruningConfig.Scope) throws -> ([Int], Double) {
        let model = try ModelZoo.build(name: name, seed: 11)
        var config = PruningConfig()
        (config.target, config.scope) = (.flopsRatio(0.6), scope)
        let session = try PruningSession(model: model, config: config, data: PruningData())
        try PruningPipeline.prune(session, with: CriterionPruner(importance: MagnitudeImportance(norm: 1)))
        let widths = try model.currentSpec().widths.map(\.width)
        let squares = model.parameters.reduce(0.0) { total, parameter in total + parameter.value.scalars.reduce(0.0) { $0 + Double($1 * $1) } }
        return (widths, squares)
    }

    func testL1PrunedModelsOfEveryFamilyEqualThePreGraphOnes() throws {
        let names = ["mlp", "lenet5", "lenet5-classic", "vgg11", "resnet20", "resnet20-b", "wrn-16-1", "wrn-16-2"]
        var report: [String] = []
        for name in names {
            for scope in [PruningConfig.Scope.uniform, .global] {
                let (widths, squares) = try pruned(name, scope: scope)
                let key = "\(name)/\(scope)"
                report.append("\"\(key)\": (\(widths), \(squares)),")
                guard let expected = Self.golden[key] else { continue }
                XCTAssertEqual(widths, expected.0, key)
                XCTAssertEqual(squares, expected.1, accuracy: abs(expected.1) * 1e-12, key)
            }
        }
        if ProcessInfo.processInfo.environment["PRINT_GOLDEN"] != nil { print(report.joined(separator: "\n")) }
        XCTAssertEqual(Self.golden.count, names.count * 2, "every family has a golden entry")
    }
}
