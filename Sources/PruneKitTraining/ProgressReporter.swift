import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Training progress on stderr: a redrawn bar when stderr is a terminal, plain lines otherwise
/// (one per epoch, plus every 25% of a long epoch), so logs piped to files stay readable.
public final class ProgressReporter {
    private let isTerminal = isatty(2) != 0
    private var lastQuarter = -1
    private var epochStart = Profiler.now()
    /// Epochs of the run, shown as "epoch E/totalEpochs".
    public let totalEpochs: Int
    /// Images per batch, used to turn batches done into the images-per-second figure.
    public var batchSize: Int

    /// A reporter for a run of `totalEpochs` epochs of `batchSize`-image batches.
    ///
    /// ```swift
    /// let progress = ProgressReporter(totalEpochs: config.epochs, batchSize: config.batchSize)
    /// progress.beginEpoch()
    /// progress.update(epoch: 0, done: done, total: total, loss: loss, accuracy: accuracy)
    /// ```
    public init(totalEpochs: Int, batchSize: Int) { (self.totalEpochs, self.batchSize) = (totalEpochs, batchSize) }

    /// Call at each epoch start.
    public func beginEpoch() { epochStart = Profiler.now(); lastQuarter = -1 }

    /// Batch-level update: `done` of `total` batches, running loss and accuracy.
    public func update(epoch: Int, done: Int, total: Int, loss: Float, accuracy: Float) {
        let rate = Double(done * batchSize) / max(Profiler.now() - epochStart, 1e-9)
        if isTerminal {
            let width = 24, filled = width * done / max(total, 1)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write(String(format: "\repoch %d/%d [%@] %d/%d loss %.4f acc %.2f%% %.0f img/s", epoch + 1, totalEpochs, bar, done, total,
                         loss, 100 * accuracy, rate))
        } else if total >= 40, 4 * done / total != lastQuarter, done < total {
            lastQuarter = 4 * done / total
            guard lastQuarter > 0 else { return }
            write(String(format: "epoch %d/%d %d/%d loss %.4f acc %.2f%% %.0f img/s\n", epoch + 1, totalEpochs, done, total, loss, 100 * accuracy, rate))
        }
    }

    /// Epoch summary line.
    public func endEpoch(_ record: EpochRecord) {
        var line = String(format: "epoch %d/%d lr %.5f train loss %.4f acc %.2f%%", record.epoch + 1, totalEpochs, record.learningRate,
                          record.trainLoss, 100 * record.trainAccuracy)
        if let loss = record.testLoss, let accuracy = record.testAccuracy {
            line += String(format: " | test loss %.4f acc %.2f%%", loss, 100 * accuracy)
        }
        line += String(format: " | %.1f s, %.0f img/s", record.seconds, record.imagesPerSecond)
        write((isTerminal ? "\r\u{1B}[K" : "") + line + "\n")
    }

    private func write(_ text: String) { FileHandle.standardError.write(text.data(using: .utf8)!) }
}
