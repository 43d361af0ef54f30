import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The report as text (for the terminal) and JSON (for `report.json`).
extension PruningReport: CustomStringConvertible {
    /// A table of the conv and linear layers (widths, parameters, FLOPs, before -> after), then totals,
    /// accuracies, latency and method results.
    public var description: String {
        let shown = layers.filter { $0.kind != LayerCost.Kind.batchNorm.rawValue }
        let nameWidth = max(shown.map(\.name.count).max() ?? 0, 5)
        var lines = [pad("layer", nameWidth) + pad("width", 14, right: true) + pad("params", 22, right: true) + pad("MFLOPs", 20, right: true)]
        for row in shown {
            lines.append(pad(row.name, nameWidth) + pad("\(row.widthBefore) -> \(row.widthAfter)", 14, right: true)
                         + pad("\(row.nonzeroBefore) -> \(row.nonzeroAfter)", 22, right: true)
                         + pad(String(format: "%.2f -> %.2f", Double(row.flopsBefore) / 1e6, Double(row.flopsAfter) / 1e6), 20, right: true))
        }
        lines.append("\(model), \(method), target \(config.target): parameters \(parametersBefore) -> \(parametersAfter) "
                     + String(format: "(%.1f%%)", 100 * parameterRatio) + ", non-zero \(nonzeroBefore) -> \(nonzeroAfter), FLOPs "
                     + String(format: "%.1fM -> %.1fM (%.1f%%, %.2fx fewer)", Double(flopsBefore) / 1e6, Double(flopsAfter) / 1e6,
                              100 * flopsRatio, flopsReduction))
        let accuracies = [("before", accuracyBefore), ("after pruning", accuracyAfterPruning),
                          ("after \(fineTuningEpochs) fine-tuning epochs", accuracyAfterFineTuning)]
            .compactMap { label, value in value.map { String(format: "%@ %.2f%%", label, 100 * $0) } }
        if !accuracies.isEmpty { lines.append("accuracy: " + accuracies.joined(separator: ", ")) }
        for comparison in latency {
            lines.append(String(format: "latency, batch %d, %d threads: dense %.3f ms, pruned %.3f ms (medians), speedup %.2fx vs FLOPs reduction %.2fx",
                                comparison.batchSize, comparison.threads, comparison.denseMilliseconds, comparison.prunedMilliseconds,
                                comparison.speedup, flopsReduction))
        }
        for key in results.values.keys.sorted() { lines.append("\(key): \(results.values[key]!)") }
        return lines.joined(separator: "\n")
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(width - text.count, 0))
        return right ? fill + text : text + fill
    }
}
