import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Per-epoch metrics as `metrics.csv` and `metrics.jsonl` in a run folder. Both files are rewritten
/// whole from the run's history after every epoch (atomically), so a resumed run never duplicates rows.
public enum MetricsLog {
    /// The CSV header line.
    public static let csvHeader = "epoch,learning_rate,train_loss,train_accuracy,test_loss,test_accuracy,seconds,images_per_second"

    /// CSV text of `history`, header first.
    public static func csv(_ history: [EpochRecord]) -> String {
        let rows = history.map { r in
            [String(r.epoch), "\(r.learningRate)", "\(r.trainLoss)", "\(r.trainAccuracy)", r.testLoss.map { "\($0)" } ?? "",
             r.testAccuracy.map { "\($0)" } ?? "", String(format: "%.3f", r.seconds), String(format: "%.1f", r.imagesPerSecond)]
                .joined(separator: ",")
        }
        return ([csvHeader] + rows).joined(separator: "\n") + "\n"
    }

    /// One JSON object per line, keys sorted.
    public static func jsonLines(_ history: [EpochRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try history.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
    }

    /// Writes both files into `folder`.
    public static func write(_ history: [EpochRecord], to folder: String) throws {
        for (name, text) in [("metrics.csv", csv(history)), ("metrics.jsonl", try jsonLines(history))] {
            let path = (folder as NSString).appendingPathComponent(name)
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw PruneKitError.fileError(path: path, message: "cannot write metrics: \(error.localizedDescription)")
            }
        }
    }
}
