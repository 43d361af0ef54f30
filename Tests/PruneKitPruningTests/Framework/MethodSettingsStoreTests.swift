import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPlot
@testable import PruneKitPruning
import PruneKitTestSupport

/// The per-method settings store behind `PruningConfig`: defaults, equality, flat and deterministic coding, and
/// the registry's declarations (unique settings keys, options owned by their entries).
final class MethodSettingsStoreTests: XCTestCase {
    private func encodeSorted(_ config: PruningConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }

    func testAbsentSettingsEqualTheirDefaultsAndAccessorsWriteThrough() {
        var written = PruningConfig()
        written.softFilter = SoftFilterPruner.Settings()
        XCTAssertEqual(written, PruningConfig(), "an explicitly stored default equals an absent one")
        written.softFilter.interval = 3
        XCTAssertNotEqual(written, PruningConfig())
        XCTAssertEqual(written.methodSettings[SoftFilterPruner.Settings.self].interval, 3)
        XCTAssertEqual(written.taylor, TaylorPruner.Settings(), "other methods keep their defaults")
    }

    func testEncodingIsFlatDeterministicAndRoundTrips() throws {
        var config = PruningConfig()
        (config.target, config.scope) = (.flopsRatio(0.4), .global)
        config.directionalPruning.scale = 0.03
        config.magnitude.steps = 3
        let text = try encodeSorted(config)
        XCTAssertEqual(text, try encodeSorted(config), "same bytes every time")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let settingsKeys = Set(PrunerRegistry.settingsTypes.map { type in type.key })
        XCTAssertEqual(Set(object.keys), PruningConfig.sharedKeys.subtracting(["reduction", "normalization"]).union(settingsKeys))
        XCTAssertEqual(try JSONDecoder().decode(PruningConfig.self, from: Data(text.utf8)), config)
    }

    func testAMethodRecordDecodesWithTheOtherMethodsAtTheirDefaults() throws {
        var config = PruningConfig()
        config.slimming.penalty = 1e-4
        config.softFilter.epochs = 7
        let decoded = try JSONDecoder().decode(PruningConfig.self, from: Data(try config.methodRecord(for: "slimming").utf8))
        XCTAssertEqual(decoded.slimming.penalty, 1e-4)
        XCTAssertEqual(decoded.softFilter, SoftFilterPruner.Settings(), "settings left out of the record read as defaults")
        XCTAssertEqual(decoded.target, config.target)
    }

    func testRegistryDeclarationsAreConsistent() {
        let keys = PrunerRegistry.settingsTypes.map { type in type.key }
        XCTAssertEqual(keys.count, Set(keys).count, "settings keys are unique")
        XCTAssertEqual(MethodOption.all.count, Set(MethodOption.all.map(\.name)).count, "option names are unique")
        for entry in PrunerRegistry.entries {
            for option in entry.options { XCTAssertTrue(option.applies(to: entry.name), "\(option.name) in \(entry.name)") }
        }
        // issue 21: l1, l2, taylor and slimming now say in --detail which default they use and why.
        XCTAssertEqual(Set(MethodNotes.text.keys), ["sfp", "greg-1", "greg-2", "increg", "spp", "sdprun", "l1", "l2", "taylor", "slimming", "eigendamage", "bpcp", "greedy",
                                                     "bmwm", "darb", "c-obd", "kron-obd", "kron-obs", "c-obs"])
    }
}
