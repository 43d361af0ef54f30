import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// Each absurd architecture in a checkpoint's `spec` metadata is rejected with a `PruneKitError` that names
/// the file, the offending field and its value, before any model is allocated (the sizes below would need
/// from gigabytes to exabytes).
final class CheckpointArchitectureLimitTests: XCTestCase {
    private var folder = ""
    private var base: SafeTensorsFile!

    override func setUpWithError() throws {
        folder = try CheckpointTestSupport.makeScratchDirectory()
        var spec = ModelSpec.leNet5()
        for (name, width) in [("conv1", 4), ("conv2", 6), ("fc1", 16)] { try spec.setWidth(of: name, to: width) }
        let path = folder + "/base.safetensors"
        try ModelCheckpoint(model: try Model(spec: spec, seed: 1)).write(to: path)
        base = try SafeTensors.read(path: path)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// The base checkpoint with `field` of its spec set to the JSON text `json`, written under `name`.
    private func checkpoint(_ name: String, field: String, json: String) throws -> String {
        let path = folder + "/" + name + ".safetensors"
        var metadata = base.metadata
        metadata["spec"] = try CheckpointMutator.replacing(in: metadata["spec"]!, field: (field, json))
        try SafeTensors.write(base.entries, metadata: metadata, to: path)
        return path
    }

    func testAbsurdFieldsAreNamedWithTheirValues() throws {
        let cases: [(field: String, json: String, mentions: [String])] = [
            ("classCount", "100000000", ["classCount 100000000", "65536"]),
            ("classCount", "-7", ["classCount", "-7"]),
            ("classCount", "100000000000000000000000", ["classCount = 100000000000000000000000", "beyond Int"]),
            ("depth", "1000000", ["depth 1000000", "10000"]),
            ("depth", "-5", ["depth", "-5"]),
            ("depth", "\(Int.max)", ["depth \(Int.max)"]),
            ("inputShape", "[1, 1000000, 1000000]", ["inputShape [1, 1000000, 1000000]", "height 1000000"]),
            ("inputShape", "[1000000000, 28, 28]", ["inputShape", "1000000000 channels"]),
            ("inputShape", "[1, -28, 28]", ["inputShape", "-28"]),
            ("inputShape", "[1, 99999999999999999999, 28]", ["inputShape.1 = 99999999999999999999"]),
            ("widthFactor", "1000000", ["widthFactor 1000000"]),
        ]
        for (index, item) in cases.enumerated() {
            let path = try checkpoint("case\(index)", field: item.field, json: item.json)
            assertThrowsPruneKitError([path] + item.mentions) { _ = try ModelCheckpoint.read(path: path) }
        }
    }

    func testAbsurdWidthsAreNamedWithTheirValues() throws {
        for (index, width) in ["1000000000", "-3", "\(Int.max)"].enumerated() {
            var object = try JSONSerialization.jsonObject(with: Data(base.metadata["spec"]!.utf8)) as! [String: Any]
            var widths = object["widths"] as! [[String: Any]]
            widths[1]["width"] = "@@"
            object["widths"] = widths
            let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            let path = folder + "/width\(index).safetensors"
            var metadata = base.metadata
            metadata["spec"] = text.replacingOccurrences(of: "\"@@\"", with: width)
            try SafeTensors.write(base.entries, metadata: metadata, to: path)
            assertThrowsPruneKitError([path, "'conv2'", "width \(width)"]) { _ = try ModelCheckpoint.read(path: path) }
        }
    }

    /// A spec within the limits that the tensors do not match: the tensor is named with both shapes, and the
    /// 65,536-wide model is never built.
    func testTensorsAreCheckedAgainstTheSpecBeforeBuilding() throws {
        var object = try JSONSerialization.jsonObject(with: Data(base.metadata["spec"]!.utf8)) as! [String: Any]
        object["classCount"] = 65_536
        var metadata = base.metadata
        metadata["spec"] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let path = folder + "/classes.safetensors"
        try SafeTensors.write(base.entries, metadata: metadata, to: path)
        assertThrowsPruneKitError([path, "'fc2.weight'", "[65536, 16]", "[10, 16]"]) { _ = try ModelCheckpoint.read(path: path) }
    }

    func testExtraAndMissingTensorsAreNamed() throws {
        let extra = folder + "/extra.safetensors"
        try SafeTensors.write(base.entries + [("fc3.weight", .float32(Tensor(zeros: [2])))], metadata: base.metadata, to: extra)
        assertThrowsPruneKitError([extra, "extra tensor 'fc3.weight'"]) { _ = try ModelCheckpoint.read(path: extra) }
        let missing = folder + "/missing.safetensors"
        try SafeTensors.write(base.entries.filter { $0.name != "conv2.bias" }, metadata: base.metadata, to: missing)
        assertThrowsPruneKitError([missing, "'conv2.bias'", "no such tensor"]) { _ = try ModelCheckpoint.read(path: missing) }
        let retyped = folder + "/retyped.safetensors"
        let entries = base.entries.map { $0.name == "fc1.bias" ? ($0.name, .int64(shape: [16], values: Array(repeating: 0, count: 16))) : $0 }
        try SafeTensors.write(entries, metadata: base.metadata, to: retyped)
        assertThrowsPruneKitError([retyped, "'fc1.bias' as F32", "I64"]) { _ = try ModelCheckpoint.read(path: retyped) }
    }
}
