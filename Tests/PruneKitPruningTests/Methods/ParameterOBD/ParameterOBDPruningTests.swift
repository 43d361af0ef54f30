import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// C-OBD and Kron-OBD on a real (tiny) network: FLOPs targets met by physical removal, the per-layer cap, coupled
/// residual streams scored by the sum of their filters, and the code-form flag.
final class ParameterOBDPruningTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8, shortcut: .projection)

    private func data() -> PruningData {
        let batches = TensorBatches((0..<2).map { (NetworkFixtures.images(for: spec, count: 8, seed: UInt64(40 + $0)),
                                                   NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64($0))) })
        return PruningData(training: batches, evaluation: batches)
    }

    /// The four methods meet a FLOPs target with a narrower network that still runs; the OBD ones change no kept weight.
    func testFlopsTargetGivesAPhysicallySmallerNetwork() throws {
        for method in ["c-obd", "kron-obd", "kron-obs", "c-obs"] {
            let model = try Model(spec: spec, seed: 5), dense = try model.cost()
            let stem = (model.namedLayers["conv1"] as! Conv2d).weight.value
            var config = PruningConfig()
            config.target = .flopsRatio(0.5)
            let report = try PruningPipeline.run(model: model, method: method, config: config, data: data())
            XCTAssertLessThanOrEqual(Double(try model.cost().flops), 0.5 * Double(dense.flops), method)
            XCTAssertLessThan(model.parameterCount, dense.parameterCount, method)
            XCTAssertEqual(report.flopsAfter, try model.cost().flops, method)
            let logits = try NetworkFixtures.logits(model, NetworkFixtures.images(for: spec, count: 2, seed: 1), training: false)
            XCTAssertEqual(logits.shape, [2, 10], method)
            guard method.hasSuffix("obd") else { continue }  // the OBS updates move the kept filters
            // No weight update: every kept stem filter (the stem reads the 3 image channels, never pruned) is an original one.
            let pruned = (model.namedLayers["conv1"] as! Conv2d).weight.value, width = 27
            let original = (0..<stem.shape[0]).map { Array(stem.scalars[($0 * width)..<(($0 + 1) * width)]) }
            for row in 0..<pruned.shape[0] {
                XCTAssertTrue(original.contains(Array(pruned.scalars[(row * width)..<((row + 1) * width)])), "\(method) stem row \(row)")
            }
        }
    }

    /// With ratio 0.9 and a cap of 0.5 no group loses more than half of its units; the global count is the cap's.
    func testPerLayerCapHolds() throws {
        let model = try Model(spec: spec, seed: 6), dense = try DependencyGraph(model: model)
        var config = PruningConfig()
        (config.target, config.parameterOBD.ratioLimit, config.parameterOBD.statisticsBatches) = (.channelRatio(0.9), 0.5, 1)
        try PruningPipeline.run(model: model, method: "kron-obd", config: config, data: data())
        for group in try DependencyGraph(model: model).groups {
            let initial = try dense.group(named: group.name).unitCount
            XCTAssertGreaterThanOrEqual(group.unitCount, initial - initial / 2, group.name)
        }
    }

    /// A residual stream's unit scores the sum of the damages of its producing filters; groups without scored
    /// producers are left out.
    func testStreamScoresSumTheirProducers() throws {
        let model = try Model(spec: spec, seed: 7), graph = try DependencyGraph(model: model)
        let stream = try XCTUnwrap(graph.groups.first { $0.kind == .residualStream })
        let producers = stream.members.filter { $0.role == .output }
        XCTAssertGreaterThan(producers.count, 1)
        var damages: [String: [Double]] = [:]
        for (index, member) in producers.enumerated() {
            damages[member.layerName] = (0..<stream.unitCount).map { Double(($0 + 1) * (index + 1)) }
        }
        let scores = try XCTUnwrap(try FilterDamageImportance(name: "kron-obd", damages: damages).scores(for: stream, in: model))
        let multiplier = Float((1...producers.count).reduce(0, +))
        XCTAssertEqual(scores, (0..<stream.unitCount).map { Float($0 + 1) * multiplier })
        XCTAssertNil(try FilterDamageImportance(name: "kron-obd", damages: [:]).scores(for: stream, in: model))
    }

    /// `--kron-obd-code-compat` selects the code's form; c-obd does not list it; both show their settings.
    func testOptionsAndRegistry() throws {
        var config = PruningConfig()
        let option = try XCTUnwrap(MethodOption.all.first { $0.name == "kron-obd-code-compat" })
        try option.apply(&config, "true")
        XCTAssertEqual(config.parameterOBD.kroneckerForm, .officialCode)
        XCTAssertTrue(option.applies(to: "kron-obd"))
        XCTAssertFalse(option.applies(to: "c-obd"))
        assertThrowsPruneKitError(["kron-obd-code-compat"]) { try option.apply(&config, "maybe") }
        let entries = try ["c-obd", "kron-obd"].map { try PrunerRegistry.entry(named: $0) }
        XCTAssertEqual(entries.map { $0.settings.map { $0.key } }, [["parameterOBD"], ["parameterOBD"]])
        XCTAssertTrue(PrunerRegistry.listing.contains("kron-obd"))
    }
}
