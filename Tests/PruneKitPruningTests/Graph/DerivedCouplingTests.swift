import XCTest
import PruneKitCore
import PruneKitNetworks
import PruneKitPruning

/// Groups derived from the graph equal the old hand-written rules member by member (issue 16), on every zoo
/// family at standard and at ragged (pruned) widths.
final class DerivedCouplingTests: XCTestCase {
    /// Zoo names plus WRN with k = 1 (the stem writes group1) and ragged option-A and option-B ResNets.
    private func specs() throws -> [ModelSpec] {
        var specs = try ModelZoo.names.filter { !$0.hasPrefix("resnet-v2") && $0 != "wrn-28-10" && $0 != "resnet110" && $0 != "resnet110-b" }
            .map { try ModelZoo.spec(named: $0) }
        specs.append(try ModelZoo.spec(named: "wrn-16-1"))
        for name in ["resnet20", "resnet20-b", "wrn-16-4", "vgg11", "lenet5"] {
            specs.append(try ModelZoo.spec(named: name).scalingWidths(by: 0.71))
        }
        var odd = try ModelZoo.spec(named: "resnet20")  // option A with odd padding: 13 -> 32 -> 57
        try odd.setWidth(of: "layer1", to: 13); try odd.setWidth(of: "layer3", to: 57)
        specs.append(odd)
        return specs
    }

    func testDerivedGroupsEqualTheOldRulesMemberByMember() throws {
        for spec in try specs() {
            let derived = try DependencyGraph(spec: spec).groups, legacy = try LegacyGroups.groups(of: spec)
            XCTAssertEqual(derived.map(\.name), legacy.map(\.name), spec.name)
            for (new, old) in zip(derived, legacy) {
                XCTAssertEqual(new.kind, old.kind, "\(spec.name) \(old.name)")
                XCTAssertEqual(new.minimumUnits, old.minimumUnits, "\(spec.name) \(old.name)")
                XCTAssertEqual(new.widthEffects, old.widthEffects, "\(spec.name) \(old.name)")
                XCTAssertEqual(new.members.map(\.layerName), old.members.map(\.layerName), "\(spec.name) \(old.name)")
                XCTAssertEqual(new.members, old.members, "\(spec.name) \(old.name)")
            }
        }
    }
}
