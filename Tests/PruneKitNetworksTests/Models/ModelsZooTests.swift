import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// The zoo table and name parsing.
final class ModelsZooTests: XCTestCase {
    func testTableNamesAreUniqueAndEqualTheirSpecNames() throws {
        XCTAssertEqual(Set(ModelZoo.names).count, ModelZoo.entries.count)
        for entry in ModelZoo.entries {
            XCTAssertEqual(entry.spec.name, entry.name)
            XCTAssertNoThrow(try entry.spec.validate(), entry.name)
            XCTAssertEqual(try ModelZoo.spec(named: entry.name.uppercased()), entry.spec)
        }
        for required in ["mlp", "lenet5", "vgg11", "vgg13", "vgg16", "vgg19", "resnet20", "resnet32", "resnet56", "resnet110",
                         "wrn-16-4", "wrn-28-10"] {
            XCTAssertTrue(ModelZoo.names.contains(required), required)
        }
    }

    func testGeneralNamesParse() throws {
        let resnet44 = try ModelZoo.spec(named: "resnet44")
        XCTAssertEqual([resnet44.family.rawValue, resnet44.shortcut?.rawValue], ["resnet", "A"])
        XCTAssertEqual(resnet44.depth, 44)
        XCTAssertEqual(try ModelZoo.spec(named: "resnet44-b").shortcut, .projection)
        XCTAssertEqual(try ModelZoo.spec(named: "resnet20-a"), try ModelZoo.spec(named: "resnet20"))
        let wide = try ModelZoo.spec(named: "wrn-40-2")
        XCTAssertEqual([wide.depth, wide.widthFactor], [40, 2])
        XCTAssertEqual(try ModelZoo.spec(named: "wrn-16-1").widths.first?.name, "group1", "k = 1 has no separate stem width")
        XCTAssertEqual(try ModelCost(spec: ModelZoo.spec(named: "wrn-16-1")).layer(named: "blocks.0.shortcut"), nil)
    }

    func testUnknownNameIsAnInvalidParameter() {
        for name in ["alexnet", "resnet", "wrn-16", "vgg", "resnet20-c"] {
            XCTAssertThrowsError(try ModelZoo.spec(named: name), name) { error in
                guard case let .invalidParameter("model", expected, found)? = error as? PruneKitError else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue(found == "'\(name)'" && expected.contains("resnet20"), expected)
            }
        }
    }

    func testInvalidGeneralDepthStatesTheRule() {
        assertThrowsPruneKitError(["resnet", "6n + 2", "21"]) { _ = try ModelZoo.spec(named: "resnet21") }
        assertThrowsPruneKitError(["vgg", "11, 13, 16 or 19", "12"]) { _ = try ModelZoo.spec(named: "vgg12") }
        assertThrowsPruneKitError(["wrn", "6n + 4", "15"]) { _ = try ModelZoo.spec(named: "wrn-15-2") }
        assertThrowsPruneKitError(["widthFactor", ">= 1"]) { _ = try ModelZoo.spec(named: "wrn-16-0") }
    }
}
