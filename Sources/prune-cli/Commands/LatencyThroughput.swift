import Foundation
import PruneKit

/// Model GFLOP/s of both sides of a `LatencyComparison` row and their share of the CPU's derived peak, as `bench CKPT`
/// and `bench infer --versus-dense` print them: forward FLOPs x batch (x 3 for a training step) / median time.
struct LatencyThroughput: Encodable {
    /// Images per pass, and whether a pass was a training step (as in the row).
    let batchSize: Int, training: Bool
    /// GFLOP/s of the dense model and of the pruned (or narrowed) one, each counted at its own FLOPs.
    let denseGflops: Double, prunedGflops: Double
    /// The two rates as percentages of the peak.
    let densePercentOfPeak: Double, prunedPercentOfPeak: Double

    init(_ row: PruningReport.LatencyComparison, dense: Model, pruned: Model, peak: ProcessorPeak) throws {
        let passes = Double(row.batchSize) * (row.training == true ? 3 : 1)
        batchSize = row.batchSize
        training = row.training == true
        denseGflops = Double(try dense.cost().flops) * passes / max(row.denseMilliseconds, 1e-12) / 1e6
        prunedGflops = Double(try pruned.cost().flops) * passes / max(row.prunedMilliseconds, 1e-12) / 1e6
        densePercentOfPeak = peak.percent(ofGflops: denseGflops)
        prunedPercentOfPeak = peak.percent(ofGflops: prunedGflops)
    }

    /// "; dense 150.2 GFLOP/s (28.5% of peak), checkpoint 98.1 GFLOP/s (18.6%)".
    func text(prunedLabel: String) -> String {
        String(format: "; dense %.1f GFLOP/s (%.1f%% of peak), %@ %.1f GFLOP/s (%.1f%%)", denseGflops, densePercentOfPeak, prunedLabel,
               prunedGflops, prunedPercentOfPeak)
    }
}
