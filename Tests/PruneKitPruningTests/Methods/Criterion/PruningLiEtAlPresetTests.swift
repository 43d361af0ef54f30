import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Li et al.'s configurations by name, as `prune-cli prune --method l1 --preset NAME` reads them (issue 21).
final class PruningLiEtAlPresetTests: XCTestCase {
    func testPresetsAreTheLibraryConfigurations() throws {
        XCTAssertEqual(LiEtAlPreset.all.map(\.name), ["li-resnet56-a", "li-resnet56-b", "li-resnet110-a", "li-resnet110-b", "li-vgg16-a"])
        XCTAssertEqual(try LiEtAlPreset(named: "li-resnet56-b").config(), try PruningConfig.liEtAl(resNetDepth: 56, variant: .b))
        XCTAssertEqual(try LiEtAlPreset(named: "LI-RESNET110-A").config(), try PruningConfig.liEtAl(resNetDepth: 110, variant: .a))
        XCTAssertEqual(try LiEtAlPreset(named: "li-vgg16-a").config(), PruningConfig.liEtAlVGG16())
        assertThrowsPruneKitError(["preset", "li-resnet56-a"]) { _ = try LiEtAlPreset(named: "li-resnet20") }
    }

    /// ResNet-56-B on ResNet-56: only first convs narrow, 60/30/10% by stage except the skipped convs; on
    /// ResNet-20 the preset is refused.
    func testResNet56BPrunesOnlyTheFirstConvs() throws {
        let preset = try LiEtAlPreset(named: "li-resnet56-b")
        assertThrowsPruneKitError(["preset", "resnet-56", "resnet-20"]) { try preset.check(.resNet(depth: 20)) }
        let model = try Model(spec: .resNet(depth: 56), seed: 1)
        try preset.check(model.spec)
        let config = try preset.config()
        let session = try PruningSession(model: model, config: config, data: PruningData())
        let plan = try PrunerRegistry.makePruner(named: "l1", config: config).plan(session)
        XCTAssertTrue(plan.removals.keys.allSatisfy { $0.hasSuffix(".conv1") }, "\(plan.removals.keys.sorted())")
        XCTAssertEqual(plan.removals["layer1.0.conv1"]?.count, 16 - Int(16 * 0.4), "60% of 16")
        XCTAssertEqual(plan.removals["layer3.1.conv1"]?.count, 64 - Int(64 * 0.9), "10% of 64")
        XCTAssertNil(plan.removals["layer1.7.conv1"], "conv 16 (block 7) is skipped")
        XCTAssertNil(plan.removals["layer3.0.conv1"], "conv 38 (block 18) is skipped")
    }
}
