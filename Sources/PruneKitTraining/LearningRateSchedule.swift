import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Learning-rate schedules as pure functions of progress (mlx-swift's Schedulers; PyTorch's lr_scheduler).
///
/// `rate(base:epoch:iteration:iterationsPerEpoch:totalEpochs:)` gives the rate for one iteration, with
/// an optional linear warm-up over the first `warmupEpochs` (Goyal et al. 2017) that multiplies any schedule.
public enum LearningRateSchedule: Codable, Equatable {
    /// base for every step.
    case constant
    /// base * gamma^(number of milestones <= epoch) (PyTorch MultiStepLR, stepped per epoch).
    case multiStep(milestones: [Int], gamma: Float)
    /// base * (1 + cos(pi * t / T)) / 2 over all iterations t of T (Loshchilov and Hutter, SGDR, no restarts).
    case cosine
    /// One-cycle (Smith and Topin 2017, PyTorch OneCycleLR defaults): from base/25 up to base over the first
    /// 30% of iterations, then cosine down to base/(25 * 10^4).
    case oneCycle
    /// An explicit per-epoch table {epoch: rate} (GReg's `--lr_ft` style): the entry with the largest
    /// epoch <= the current one applies; `base` is ignored.
    case table([Int: Float])

    /// The rate at an iteration.
    public func rate(base: Float, epoch: Int, iteration: Int, iterationsPerEpoch: Int, totalEpochs: Int,
                     warmupEpochs: Int = 0) -> Float {
        let total = Double(max(1, iterationsPerEpoch * totalEpochs))
        let t = Double(epoch * iterationsPerEpoch + iteration)
        var rate: Float
        switch self {
        case .constant: rate = base
        case let .multiStep(milestones, gamma): rate = base * powf(gamma, Float(milestones.filter { $0 <= epoch }.count))
        case .cosine: rate = base * Float(0.5 * (1 + cos(Double.pi * t / total)))
        case .oneCycle: rate = Self.oneCycle(base: base, progress: t / total)
        case let .table(entries): rate = entries.filter { $0.key <= epoch }.max { $0.key < $1.key }?.value ?? base
        }
        if warmupEpochs > 0 && epoch < warmupEpochs {
            rate *= Float((t + 1) / Double(warmupEpochs * max(1, iterationsPerEpoch)))
        }
        return rate
    }

    private static func oneCycle(base: Float, progress: Double) -> Float {
        let (initial, final) = (Double(base) / 25, Double(base) / 25 / 1e4)
        let anneal = { (start: Double, end: Double, fraction: Double) in end + (start - end) / 2 * (1 + cos(Double.pi * fraction)) }
        if progress < 0.3 { return Float(anneal(initial, Double(base), progress / 0.3)) }
        return Float(anneal(Double(base), final, (progress - 0.3) / 0.7))
    }

    /// Parses "constant", "cosine", "one-cycle", "multi-step:30,60,80[:0.1]" or "table:0=0.01,60=0.001".
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 2).map(String.init)
        switch parts.first ?? "" {
        case "constant": self = .constant
        case "cosine": self = .cosine
        case "one-cycle": self = .oneCycle
        case "multi-step" where parts.count >= 2:
            let milestones = parts[1].split(separator: ",").compactMap { Int($0) }
            let gamma = parts.count == 3 ? Float(parts[2]) : 0.1
            guard milestones.count == parts[1].split(separator: ",").count, let gamma else { throw Self.badSchedule(text) }
            self = .multiStep(milestones: milestones, gamma: gamma)
        case "table" where parts.count == 2:
            var entries: [Int: Float] = [:]
            for pair in parts[1].split(separator: ",") {
                let sides = pair.split(separator: "=")
                guard sides.count == 2, let epoch = Int(sides[0]), let value = Float(sides[1]) else { throw Self.badSchedule(text) }
                entries[epoch] = value
            }
            self = .table(entries)
        default: throw Self.badSchedule(text)
        }
    }

    private static func badSchedule(_ text: String) -> PruneKitError {
        .invalidParameter(name: "schedule", expected: "constant, cosine, one-cycle, multi-step:E1,E2[:GAMMA] or table:E=LR,...", found: "'\(text)'")
    }
}
