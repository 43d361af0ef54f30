import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// A method's numbers for the report, one struct per method in its folder (`DeepCompressionResult`,
/// `DirectionalPruningResult`, ...). Its `CodingKeys` are the report's stable keys (`compressed_bytes`); optional
/// fields that are nil are left out, so a method can record the part it knows at each step.
public protocol MethodResult: Codable, Equatable {}

/// The method results of one run: typed on the way in (`record`) and out (`subscript`), stored and encoded as
/// one flat JSON object of numbers with the results' keys, so `report.json` reads
/// `"results": {"compressed_bytes": 41230, "dense_bytes": 430080, ...}` whatever the method.
///
/// ```swift
/// session.results.record(DeepCompressionResult(denseBytes: 430_080, compressedBytes: 41_230, compressionRatio: 10.4))
/// report.results[DeepCompressionResult.self]?.compressedBytes     // 41230
/// ```
public struct PruningResults: Codable, Equatable {
    /// Key -> number, for text output and tools that read the JSON generically.
    public private(set) var values: [String: Double] = [:]

    /// No results.
    public init() {}

    /// Whether no method recorded anything.
    public var isEmpty: Bool { values.isEmpty }

    /// Merges `result`'s present fields into the results (a later value of a key replaces the earlier one).
    public mutating func record<Result: MethodResult>(_ result: Result) {
        values.merge(Self.flatten(result)) { $1 }
    }

    /// The `Result` recorded in this run, or nil when none of its keys is present.
    public subscript<Result: MethodResult>(_ type: Result.Type) -> Result? {
        let fields = values.keys.sorted().map { key -> String in
            let value = values[key]!
            let number = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
            return "\"\(key)\": \(number)"
        }
        guard let result = try? JSONDecoder().decode(Result.self, from: Data(("{" + fields.joined(separator: ", ") + "}").utf8)),
              !Self.flatten(result).isEmpty else { return nil }
        return result
    }

    /// The flat object.
    public init(from decoder: Decoder) throws { values = try decoder.singleValueContainer().decode([String: Double].self) }

    /// The flat object (the same JSON as the untyped dictionary this replaced).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// `result`'s present fields as key -> number.
    private static func flatten<Result: MethodResult>(_ result: Result) -> [String: Double] {
        guard let data = try? JSONEncoder().encode(result),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}
