import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData

extension ModelCheckpoint {
    /// The model's tensors (parameters and BN buffers) and the optimizer's, in file order, that hold NaN or
    /// ±∞. A diverged run saves such weights; evaluating them prints "loss nan", and pruning or training from
    /// them only spreads the damage, so the CLI warns (eval, info, bench, export) or refuses (prune, train).
    ///
    /// ```swift
    /// let bad = try ModelCheckpoint.read(path: path).nonFiniteTensors()   // [] for a healthy checkpoint
    /// ```
    public func nonFiniteTensors() -> [NonFiniteTensor] {
        var named: [(String, Tensor)] = model.stateDictionary().compactMap { name, value in
            if case let .tensor(tensor) = value { return (name, tensor) }
            return nil
        }
        named += optimizerState.keys.sorted().map { (Self.optimizerPrefix + $0, optimizerState[$0]!) }
        return named.compactMap { name, tensor in
            let bad = tensor.withUnsafeBufferPointer { values in values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }
            return bad == 0 ? nil : NonFiniteTensor(name: name, nonFiniteCount: bad, count: tensor.count)
        }
    }

    /// "NaN or infinite values in 2 tensors: conv1.weight (3 of 150 values), fc.bias (1 of 10 values)"; nil when
    /// every value is finite. At most `limit` tensors are named, then "and N more".
    public func nonFiniteSummary(limit: Int = 8) -> String? {
        let bad = nonFiniteTensors()
        guard !bad.isEmpty else { return nil }
        var names = bad.prefix(limit).map(\.description).joined(separator: ", ")
        if bad.count > limit { names += " and \(bad.count - limit) more" }
        return "NaN or infinite values in \(bad.count) tensor\(bad.count == 1 ? "" : "s"): \(names)"
    }

    /// Throws `.malformedFile` naming `path` and the tensors when any value is NaN or infinite.
    public func requireFiniteValues(path: String) throws {
        guard let summary = nonFiniteSummary() else { return }
        throw PruneKitError.malformedFile(path: path, expected: "finite weights", found: summary)
    }
}
