import PruneKitCore

/// The Kronecker-factored eigenbasis (KFE) of one layer: A = Q_A diag(a) Q_A^T and S = Q_S diag(s) Q_S^T by LAPACK
/// `dsyevd` in double precision, eigenvalues ascending, those ≤ `eigenvalueFloor` (1e-10 in the official code) set to
/// 0, no damping (pruning needs no inverse) (eigendamage.md "K-FAC factors" 5 and "Edge cases").
///
/// Shape contract: `inputBasis` Q_A row-major [C, C], column j the unit eigenvector of `inputValues[j]`; `outputBasis`
/// Q_S [OC, OC], column i the eigenvector of `outputValues[i]`. These are `StructuralSurgery.factorise`'s bases.
///
/// ```swift
/// let basis = try KroneckerEigenbasis(factors: factors, inputChannels: 16)
/// let model2 = try StructuralSurgery.factorise("conv1", in: model, inputBasis: basis.inputBasisTensor(),
///                                              outputBasis: basis.outputBasisTensor())
/// ```
public struct KroneckerEigenbasis: Sendable {
    /// a, ascending, clipped at the floor.
    public let inputValues: [Double]
    /// Q_A, row-major [C, C], eigenvectors as columns.
    public let inputBasis: [Double]
    /// s, ascending, clipped at the floor.
    public let outputValues: [Double]
    /// Q_S, row-major [OC, OC], eigenvectors as columns.
    public let outputBasis: [Double]

    /// Decomposes `factors`, using the leading [inputChannels, inputChannels] block of A (the bias row and column, if
    /// collected, are left out: PruneKit's factorised convolution keeps the bias on rotation-out, outside the core).
    public init(factors: KroneckerFactors, inputChannels: Int, eigenvalueFloor: Double = 1e-10) throws {
        guard inputChannels <= factors.inputSize else {
            throw PruneKitError.invalidParameter(name: "inputChannels", expected: "at most \(factors.inputSize)", found: "\(inputChannels)")
        }
        let size = factors.inputSize
        let block = (0..<(inputChannels * inputChannels)).map { factors.input[($0 / inputChannels) * size + $0 % inputChannels] }
        let input = try Self.decompose(block, size: inputChannels, floor: eigenvalueFloor)
        let output = try Self.decompose(factors.output, size: factors.outputSize, floor: eigenvalueFloor)
        self.init(inputValues: input.values, inputBasis: input.basis, outputValues: output.values, outputBasis: output.basis)
    }

    /// A basis from its parts (identity factors, hand-made tests).
    public init(inputValues: [Double], inputBasis: [Double], outputValues: [Double], outputBasis: [Double]) {
        (self.inputValues, self.inputBasis, self.outputValues, self.outputBasis) = (inputValues, inputBasis, outputValues, outputBasis)
    }

    /// Q_A as a [C, C] tensor.
    public func inputBasisTensor() throws -> Tensor {
        try Tensor(shape: [inputValues.count, inputValues.count], scalars: inputBasis.map(Float.init))
    }

    /// Q_S as an [OC, OC] tensor.
    public func outputBasisTensor() throws -> Tensor {
        try Tensor(shape: [outputValues.count, outputValues.count], scalars: outputBasis.map(Float.init))
    }

    /// Eigenvalues (clipped) and the eigenvectors as columns of a row-major matrix.
    static func decompose(_ matrix: [Double], size: Int, floor: Double) throws -> (values: [Double], basis: [Double]) {
        let (values, rows) = try BLAS.symmetricEigen(doubles: matrix, size: size)
        let basis = (0..<(size * size)).map { rows[($0 % size) * size + $0 / size] }  // rows -> columns
        return (values.map { $0 <= floor ? 0 : $0 }, basis)
    }
}
