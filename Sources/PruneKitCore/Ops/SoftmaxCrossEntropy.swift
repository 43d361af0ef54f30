import Foundation

// Legend: N batch, K classes.

/// Mean softmax cross-entropy of logits against integer labels, with optional label smoothing
/// (Szegedy et al., CVPR 2016), matching PyTorch's `cross_entropy(label_smoothing: eps)`.
///
/// p = softmax(z) computed as exp(z - max z) / sum; q = (1 - eps) onehot(label) + eps / K;
/// loss = (1/N) sum_n -sum_k q[n,k] log p[n,k]. Shapes: logits [N, K], labels N ints in 0..<K; output [] (scalar).
/// Backward: dz = (p - q) / N * dloss. Caches p.
public func softmaxCrossEntropy(_ logits: Variable, labels: [Int], labelSmoothing: Float = 0) throws -> Variable {
    guard logits.value.rank == 2, logits.shape[0] == labels.count, logits.shape[0] > 0 else {
        throw PruneKitError.shapeMismatch(operation: "softmaxCrossEntropy", expected: "logits [\(labels.count), K] for \(labels.count) labels",
                                          found: "logits \(logits.shape)")
    }
    let (N, K) = (logits.shape[0], logits.shape[1])
    if let bad = labels.first(where: { $0 < 0 || $0 >= K }) {
        throw PruneKitError.invalidArgument(operation: "softmaxCrossEntropy", message: "label \(bad) outside 0..<\(K)")
    }
    guard labelSmoothing >= 0, labelSmoothing < 1 else {
        throw PruneKitError.invalidArgument(operation: "softmaxCrossEntropy", message: "label smoothing must be in [0, 1), got \(labelSmoothing)")
    }
    var probabilities = Tensor(zeros: [N, K], zeroed: false)
    var loss: Double = 0
    let z = logits.value.storage.pointer
    let (onTarget, offTarget) = (1 - labelSmoothing + labelSmoothing / Float(K), labelSmoothing / Float(K))
    probabilities.withUnsafeMutableBufferPointer { p in
        for n in 0..<N {
            let row = z + n * K
            var largest = -Float.infinity
            for k in 0..<K { largest = max(largest, row[k]) }
            var total: Float = 0
            for k in 0..<K { let e = expf(row[k] - largest); p[n * K + k] = e; total += e }
            let logTotal = logf(total)
            for k in 0..<K {
                p[n * K + k] /= total
                let logP = row[k] - largest - logTotal
                loss -= Double((k == labels[n] ? onTarget : offTarget) * logP)
            }
        }
    }
    let output = Tensor(repeating: Float(loss / Double(N)), shape: [])
    return Variable(output, operation: "softmaxCrossEntropy", parents: [logits]) { dy in
        var dz = probabilities
        let scale = dy.storage.pointer[0] / Float(N)
        dz.withUnsafeMutableBufferPointer { dz in
            for n in 0..<N { for k in 0..<K {
                dz[n * K + k] = (dz[n * K + k] - (k == labels[n] ? onTarget : offTarget)) * scale
            } }
        }
        logits.accumulateGradient(dz)
    }
}
