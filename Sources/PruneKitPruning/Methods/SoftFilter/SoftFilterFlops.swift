import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The FLOPs accounting SFP's paper uses for CIFAR ResNets (the official `utils/cifar_resnet_flop.py`; sfp.md
/// "Coupled channels"): multiply-accumulates of the 3x3 convolutions only, with the compact model keeping the
/// residual stream at full width (scatter-add). With keep fraction k = 1 - P:
///
///     stem: 3 -> 16 at 32x32, x k                first block of stage 1: both convs x k^2
///     other blocks: conv1 x k (output only), conv2 x k^2
///     minus, at each of the two stage transitions, C_s (C_s - C_{s-1}) W_s^2 9 k (the code's offsets)
///
/// ResNet-56: 125,485,056 MACs dense, 52.63 % fewer at P = 0.4; ResNet-20: 53.96 % at P = 0.4.
/// These numbers describe the paper's compact model, not PruneKit's (see `SoftFilterPruner`, which removes
/// coupled stream channels and reports FLOPs by `Model.cost()`).
///
/// ```swift
/// SoftFilterFlops.cifarResNet(depth: 56, rate: 0)     // 125_485_056
/// SoftFilterFlops.reduction(depth: 56, rate: 0.4)     // 0.5263...
/// ```
public enum SoftFilterFlops {
    /// MACs of the 3x3 convolutions of CIFAR ResNet-`depth` with filter pruning rate `rate` (P).
    public static func cifarResNet(depth: Int, rate: Double) -> Double {
        let keep = 1 - rate, channels = [16.0, 32, 64], sizes = [32.0, 16, 8]
        let blocksPerStage = (depth - 2) / 6, convsPerStage = 2 * blocksPerStage
        let full = { (stage: Int) in channels[stage] * channels[stage] * sizes[stage] * sizes[stage] * 9 }
        var total = channels[0] * sizes[0] * sizes[0] * 9 * 3 * keep  // stem
        for stage in 0..<3 {
            for conv in 0..<convsPerStage {
                let isSecond = conv % 2 == 1, isFirstBlockOfNetwork = stage == 0 && conv < 2
                total += full(stage) * (isSecond || isFirstBlockOfNetwork ? keep * keep : keep)
            }
        }
        for stage in 1..<3 {  // the first conv of a stage reads C_{s-1}, not C_s, channels
            total -= channels[stage] * (channels[stage] - channels[stage - 1]) * sizes[stage] * sizes[stage] * 9 * keep
        }
        return total
    }

    /// 1 - FLOPs(P) / FLOPs(0).
    public static func reduction(depth: Int, rate: Double) -> Double {
        1 - cifarResNet(depth: depth, rate: rate) / cifarResNet(depth: depth, rate: 0)
    }
}
