import PruneKitCore
import PruneKitNetworks

// Legend: N images, C input channels, T = K*K kernel taps, D = C*T (+1 with a bias) im2col columns, OC output channels,
// P = OH*OW output positions.

/// The curvature statistics of one convolution that the parameter-coordinate baselines of EigenDamage rank filters by
/// (Wang et al., ICML 2019, section 5 baselines; official `fisher_diag_pruner.py` (C-OBD), `kfac_OBD_F2.py` (Kron-OBD);
/// eigendamage.md "Parameter-coordinate baselines"). Per batch of N images, with x̃ an im2col ("non-patch") column of
/// the layer input (C*T values, then a constant 1 when the conv has a bias) and g = dLoss/d(output) of the batch-mean loss:
///
///     A += sum_{n, p} x̃ x̃^T / (N P^2)                           (official ComputeCovA, non-patch)
///     S += N P sum_{n, p} g g^T                                   (ComputeCovG, as EigenDamage: OutputGradientCovariance)
///     F += sum_n (N sum_p g_n(p) x̃_n(p)^T)^2  (elementwise)       (per-sample gradient dl_n/dW squared; the ×N undoes the mean)
///
/// Factors are averaged over batches (`averaged`), as the baselines' code does. Filter i's weights w_i are row i of
/// W viewed as [OC, D] (the bias appended as the last column), matching A's and F's column order (c*T + ky*K + kx).
///
/// Shape contract: `factors.input` A row-major [D, D]; `factors.output` S row-major [OC, OC]; `diagonal` F row-major [OC, D].
///
/// ```swift
/// var curvature = FilterCurvature(convolution: conv)
/// try curvature.accumulate(input: x, outputGradient: g, convolution: conv)   // x [N, C, H, W], g [N, OC, OH, OW]
/// let fisher = curvature.averaged.diagonal                                   // [OC * D]
/// ```
public struct FilterCurvature: Sendable, Equatable {
    /// A (im2col, [D, D]) and S ([OC, OC]), summed over batches; `factors.batches` counts the batches.
    public var factors: KroneckerFactors
    /// F, the diagonal Fisher of W, row-major [OC, D], summed over batches.
    public var diagonal: [Double]

    /// D: im2col columns, C*T plus one for a bias.
    public var inputSize: Int { factors.inputSize }
    /// OC.
    public var outputSize: Int { factors.outputSize }

    /// Zero statistics of the given sizes.
    public init(inputSize: Int, outputSize: Int) {
        factors = KroneckerFactors(inputSize: inputSize, outputSize: outputSize)
        diagonal = [Double](repeating: 0, count: outputSize * inputSize)
    }

    /// Zero statistics sized for `convolution` (its bias adds a column).
    public init(convolution: Conv2d) {
        let taps = convolution.kernelSize * convolution.kernelSize
        self.init(inputSize: convolution.inputChannels * taps + (convolution.bias == nil ? 0 : 1), outputSize: convolution.outputChannels)
    }

    /// The statistics divided by the number of batches (unchanged when there were none).
    public var averaged: FilterCurvature {
        guard factors.batches > 1 else { return self }
        var result = self
        let scale = 1 / Double(factors.batches)
        result.factors.input = factors.input.map { $0 * scale }
        result.factors.output = factors.output.map { $0 * scale }
        result.diagonal = diagonal.map { $0 * scale }
        result.factors.batches = 1
        return result
    }

    /// Adds one batch: A from `input` [N, C, H, W] (before padding); S and F from `outputGradient` [N, OC, OH, OW] when
    /// the output reached the loss (a batch counts only then).
    public mutating func accumulate(input batch: Tensor, outputGradient: Tensor?, convolution: Conv2d) throws {
        let geometry = try Self.geometry(of: batch, convolution: convolution, inputSize: inputSize)
        if let outputGradient {
            guard outputGradient.shape == [batch.shape[0], outputSize, geometry.outputHeight, geometry.outputWidth] else {
                throw PruneKitError.shapeMismatch(operation: "filter curvature", expected: "gradient [N, \(outputSize), OH, OW]",
                                                  found: "\(outputGradient.shape)")
            }
            try OutputGradientCovariance.accumulate(outputGradient, into: &factors.output)
            factors.batches += 1
        }
        try accumulateColumns(batch, gradient: outputGradient, geometry: geometry)
    }

    /// The unfolding geometry of `batch` under `convolution`, checked against D.
    static func geometry(of batch: Tensor, convolution: Conv2d, inputSize: Int) throws -> PatchCovariance.Geometry {
        guard batch.rank == 4, batch.shape[1] == convolution.inputChannels, batch.shape[0] > 0 else {
            throw PruneKitError.invalidParameter(name: "input", expected: "a batch [N, \(convolution.inputChannels), H, W]", found: "\(batch.shape)")
        }
        let (k, s, p) = (convolution.kernelSize, convolution.stride, convolution.padding)
        let (height, width) = (batch.shape[2], batch.shape[3])
        let geometry = PatchCovariance.Geometry(channels: batch.shape[1], height: height, width: width, kernel: k, stride: s, padding: p,
                                                outputHeight: (height + 2 * p - k) / s + 1, outputWidth: (width + 2 * p - k) / s + 1)
        guard geometry.outputHeight > 0, geometry.outputWidth > 0,
              inputSize == geometry.channels * k * k + (convolution.bias == nil ? 0 : 1) else {
            throw PruneKitError.invalidParameter(name: "convolution", expected: "\(inputSize) im2col columns and a kernel that fits",
                                                 found: "C \(geometry.channels), kernel \(k), input \(height)x\(width)")
        }
        return geometry
    }
}
