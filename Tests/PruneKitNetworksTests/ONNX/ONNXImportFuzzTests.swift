import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// Hostile `.onnx` files: 4,000 seeded mutants each of a real export (a narrowed ResNet-8 with option-A shortcuts, batch
/// norms as nodes) and of the PyTorch-style fixture must each decode and import, or throw a `PruneKitError`; a trap
/// kills the test. Mutations: truncation, flipped bytes, overwritten varints (huge lengths, overlong encodings, group
/// keys), duplicated and deleted byte ranges.
final class ONNXImportFuzzTests: XCTestCase {
    static let mutantCount = 4_000

    func testMutantsOfAnExportImportOrThrowPruneKitError() throws {
        var spec = ModelSpec.resNet(depth: 8, inputShape: [3, 8, 8])
        for entry in spec.widths { try spec.setWidth(of: entry.name, to: 4) }
        try fuzz(try Model(spec: spec, seed: 5).onnxModel().serialized(), seed: 23)
    }

    /// The PyTorch-style fixture: Constant nodes, the Shape arithmetic of a view, MatMul + Add, two Slices.
    func testMutantsOfAPyTorchStyleFileImportOrThrowPruneKitError() throws {
        try fuzz([UInt8](try Data(contentsOf: URL(fileURLWithPath: "Tests/Fixtures/ONNX/torch-style-cnn.onnx"))), seed: 29)
    }

    /// Imports `mutantCount` mutants of `base` (which must import), checking each outcome.
    private func fuzz(_ base: [UInt8], seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertNoThrow(try ONNXImport(ONNXModel(decoding: base, source: "base"), source: "base").model(name: "base"), file: file, line: line)
        var generator = SplitMix64(seed: seed)
        var (imported, rejected) = (0, 0)
        for index in 0..<Self.mutantCount {
            let mutant = Self.mutate(base, kind: index % 5, &generator)
            do {
                let model = try ONNXImport(ONNXModel(decoding: mutant, source: "mutant"), source: "mutant").model(name: "mutant")
                _ = try model.cost()
                imported += 1
            } catch is PruneKitError {
                rejected += 1
            } catch {
                XCTFail("mutant \(index) (seed \(seed)) threw \(type(of: error)), not PruneKitError: \(error)", file: file, line: line)
            }
        }
        XCTAssertEqual(imported + rejected, Self.mutantCount, file: file, line: line)
        XCTAssertGreaterThan(rejected, Self.mutantCount / 2, "most mutants break the file", file: file, line: line)
        XCTAssertGreaterThan(imported, 0, "flips inside weights leave a valid model", file: file, line: line)
    }

    /// One seeded mutant of `base`.
    static func mutate(_ base: [UInt8], kind: Int, _ generator: inout SplitMix64) -> [UInt8] {
        var bytes = base
        let position = generator.nextInt(below: bytes.count)
        switch kind {
        case 0: return Array(bytes.prefix(position))
        case 1:
            for _ in 0..<(1 + generator.nextInt(below: 4)) { bytes[generator.nextInt(below: bytes.count)] ^= UInt8(1 + generator.nextInt(below: 255)) }
        case 2:
            let varints: [[UInt8]] = [[0xff, 0xff, 0xff, 0xff, 0x0f], [UInt8](repeating: 0xff, count: 11), [0x80, 0x80, 0x00], [0x7f], [0x00],
                                      [0x0b], [0x0c], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]]
            let replacement = varints[generator.nextInt(below: varints.count)]
            bytes.replaceSubrange(position..<min(bytes.count, position + replacement.count), with: replacement)
        case 3:
            let length = generator.nextInt(below: 64) + 1
            let source = generator.nextInt(below: bytes.count)
            bytes.insert(contentsOf: base[source..<min(base.count, source + length)], at: position)
        default:
            let length = generator.nextInt(below: 32) + 1
            bytes.removeSubrange(position..<min(bytes.count, position + length))
        }
        return bytes
    }
}
