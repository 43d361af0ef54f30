import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPlot
@testable import PruneKitPruning
import PruneKitTestSupport

/// The `pruning` metadata of a pruned checkpoint: shared options plus the chosen method's settings only.
final class PruningConfigRecordTests: XCTestCase {
    private func keys(_ text: String) throws -> Set<String> {
        Set((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]).keys)
    }

    func testRecordKeepsOnlyTheChosenMethodsSettings() throws {
        var config = PruningConfig()
        config.slimming.penalty = 1e-4
        config.target = .flopsRatio(0.5)
        let shared = PruningConfig.sharedKeys.subtracting(["scope", "reduction", "normalization"])   // nil: not encoded
        XCTAssertEqual(try keys(config.methodRecord(for: "random")), shared)
        XCTAssertEqual(try keys(config.methodRecord(for: "l1")), shared.union(["magnitudeCriterion"]), "filter or group criterion")
        XCTAssertEqual(try keys(config.methodRecord(for: "slimming")), shared.union(["slimming"]))
        XCTAssertEqual(try keys(config.methodRecord(for: "deep-compression")), shared.union(["magnitude", "deepCompression"]))
        config.scope = .global
        XCTAssertEqual(try keys(config.methodRecord(for: "taylor")), shared.union(["scope", "taylor"]))
        let slimming = try JSONSerialization.jsonObject(with: Data(try config.methodRecord(for: "slimming").utf8)) as? [String: Any]
        let penalty = (slimming?["slimming"] as? [String: Any])?["penalty"] as? Double
        XCTAssertEqual(Float(penalty ?? 0), 1e-4, "the chosen method's value survives")
    }

    /// A new option must be classified: shared, or owned by named methods; otherwise every record drops it.
    func testEveryEncodedKeyIsSharedOrOwnedByARegisteredMethod() throws {
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(PruningConfig())) as? [String: Any] ?? [:]
        let owned = Set(PruningConfig.methodSettingsKeys.values.flatMap { $0 })
        // Optional options (scope, reduction, normalization) are absent from the encoding when nil.
        XCTAssertTrue(Set(encoded.keys).isSubset(of: PruningConfig.sharedKeys.union(owned)),
                      "unclassified: \(Set(encoded.keys).subtracting(PruningConfig.sharedKeys.union(owned)))")
        XCTAssertTrue(owned.isSubset(of: Set(encoded.keys)), "stale settings keys: \(owned.subtracting(encoded.keys))")
        XCTAssertTrue(Set(PruningConfig.methodSettingsKeys.keys).isSubset(of: Set(PrunerRegistry.names)))
    }
}
