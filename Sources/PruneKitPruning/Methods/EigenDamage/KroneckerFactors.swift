import PruneKitCore

/// The two Kronecker factors of one layer's Fisher (K-FAC, Martens & Grosse 2015), as EigenDamage collects them
/// (Wang et al., ICML 2019; eigendamage.md "K-FAC factors"): F ≈ A ⊗ S with A the input-activation factor and S the
/// pre-activation-gradient factor, both summed over the batches seen (not averaged: every layer gets the same factor,
/// which changes no ranking).
///
/// Shape contract: `input` is A, row-major [inputSize, inputSize] (C_in in EigenDamage's patch mode, C_in*K*K in the
/// im2col mode of the parameter-coordinate baselines' `FilterCurvature`; plus 1 when a bias column was collected);
/// `output` is S, row-major [outputSize, outputSize] (C_out). Both symmetric positive semi-definite.
///
/// ```swift
/// var factors = KroneckerFactors(inputSize: 16, outputSize: 32)
/// try PatchCovariance.accumulate(input, kernelSize: 3, stride: 1, padding: 1, includesBias: false, into: &factors.input)
/// try OutputGradientCovariance.accumulate(gradient, into: &factors.output)
/// ```
public struct KroneckerFactors: Sendable, Equatable {
    /// Rows (and columns) of A.
    public let inputSize: Int
    /// Rows (and columns) of S.
    public let outputSize: Int
    /// A, row-major [inputSize, inputSize].
    public var input: [Double]
    /// S, row-major [outputSize, outputSize].
    public var output: [Double]
    /// Batches accumulated.
    public var batches = 0

    /// Zero factors of the given sizes.
    public init(inputSize: Int, outputSize: Int) {
        (self.inputSize, self.outputSize) = (inputSize, outputSize)
        input = [Double](repeating: 0, count: inputSize * inputSize)
        output = [Double](repeating: 0, count: outputSize * outputSize)
    }
}
