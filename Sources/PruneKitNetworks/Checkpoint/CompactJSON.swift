import Foundation

/// Compact JSON with sorted keys (stable bytes for the same value).
package func compactJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
}
