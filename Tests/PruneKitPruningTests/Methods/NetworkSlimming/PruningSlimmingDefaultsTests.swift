import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Network slimming's lambda per family (Liu et al. 2017: 1e-4 VGG, 1e-5 ResNet-164) (issue 21).
final class PruningSlimmingDefaultsTests: XCTestCase {
    func testPenaltyByFamily() throws {
        let settings = NetworkSlimmingPruner.Settings()
        XCTAssertNil(settings.penalty, "unset: by family")
        XCTAssertEqual(settings.penalty(for: .vgg(depth: 16)), 1e-4)
        XCTAssertEqual(settings.penalty(for: .vgg(depth: 11)), 1e-4)
        XCTAssertEqual(settings.penalty(for: .resNet(depth: 56)), 1e-5)
        XCTAssertEqual(settings.penalty(for: .wideResNet(depth: 16, widthFactor: 2)), 1e-5)
        var explicit = settings
        explicit.penalty = 3e-5
        XCTAssertEqual(explicit.penalty(for: .vgg(depth: 16)), 3e-5, "--slimming-penalty wins")
    }

    /// The sparsity hook of a VGG-11 session carries 1e-4; of a ResNet-8 session 1e-5.
    func testTrainingPhaseUsesTheFamilyPenalty() throws {
        for (spec, expected) in [(ModelSpec.vgg(depth: 11), Float(1e-4)), (.resNet(depth: 8), 1e-5)] {
            let session = try PruningSession(model: try Model(spec: spec, seed: 1), config: PruningConfig(), data: PruningData())
            let phase = try XCTUnwrap(try NetworkSlimmingPruner().trainingPhase(session))
            XCTAssertEqual((phase.hooks.first as? BatchNormSparsityHook)?.penalty, expected, spec.name)
        }
    }

    func testDetailSaysThePaperTrainsFromScratch() throws {
        let notes = try XCTUnwrap(MethodNotes.text["slimming"])
        XCTAssertTrue(notes.contains("from scratch, 160 epochs"), notes)
        XCTAssertTrue(notes.contains("1e-4 for VGG") && notes.contains("1e-5 for ResNet"), notes)
    }
}
