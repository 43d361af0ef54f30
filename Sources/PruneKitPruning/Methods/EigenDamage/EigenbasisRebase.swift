import PruneKitCore
import PruneKitNetworks

// Legend: C, OC external widths; r_in, r_out inner ranks; T = K*K taps.

/// Iterative EigenDamage on a layer that is already factorised (eigendamage.md "Iterative mode"): the new factors are
/// collected on the core (in the k_in / k_out spaces), and their eigenbases Q_A', Q_S' are composed with the old
/// rotations in place, with no stacking:
///
///     rotation_in <- Q_A'^T rotation_in     core <- Q_S'^T core Q_A' (per tap)     rotation_out <- rotation_out Q_S'
///
/// so the function is unchanged for orthonormal Q_A', Q_S', the fine-tuned rotations are kept (not re-derived from the
/// original W), and channel j of `name.rotation_in` (i of `name.core`) becomes new direction j (i).
///
/// ```swift
/// try EigenbasisRebase.rebase(layer, basis: basis)   // basis sizes r_in and r_out
/// ```
public enum EigenbasisRebase {
    /// Rotates `layer`'s three weights into `basis` (sizes r_in = core inputs, r_out = core outputs).
    public static func rebase(_ layer: FactorisedConv2d, basis: KroneckerEigenbasis) throws {
        let (inner, outer) = (layer.core.inputChannels, layer.core.outputChannels)
        guard basis.inputValues.count == inner, basis.outputValues.count == outer else {
            throw PruneKitError.invalidParameter(name: "basis", expected: "sizes \(inner) (inputs) and \(outer) (outputs)",
                                                 found: "\(basis.inputValues.count) and \(basis.outputValues.count)")
        }
        let (qA, qS) = (basis.inputBasis, basis.outputBasis), taps = layer.core.kernelSize * layer.core.kernelSize
        let channels = layer.rotationIn.inputChannels, outputs = layer.rotationOut.outputChannels
        let rotationIn = layer.rotationIn.weight.value.scalars.map(Double.init)  // [r_in, C]
        var newIn = [Double](repeating: 0, count: inner * channels)
        EigenbasisImportance.multiply(qA, transposed: true, rotationIn, rows: inner, inner: inner, columns: channels, into: &newIn)
        let rotationOut = layer.rotationOut.weight.value.scalars.map(Double.init)  // [OC, r_out]
        var newOut = [Double](repeating: 0, count: outputs * outer)
        EigenbasisImportance.multiply(rotationOut, transposed: false, qS, rows: outputs, inner: outer, columns: outer, into: &newOut)
        let core = layer.core.weight.value.scalars
        var newCore = [Float](repeating: 0, count: core.count), slice = [Double](repeating: 0, count: outer * inner), left = slice
        for p in 0..<taps {
            for o in 0..<outer { for i in 0..<inner { slice[o * inner + i] = Double(core[(o * inner + i) * taps + p]) } }
            EigenbasisImportance.multiply(qS, transposed: true, slice, rows: outer, inner: outer, columns: inner, into: &left)
            EigenbasisImportance.multiply(left, transposed: false, qA, rows: outer, inner: inner, columns: inner, into: &slice)
            for o in 0..<outer { for i in 0..<inner { newCore[(o * inner + i) * taps + p] = Float(slice[o * inner + i]) } }
        }
        layer.rotationIn.weight.value = try Tensor(shape: layer.rotationIn.weight.shape, scalars: newIn.map(Float.init))
        layer.rotationOut.weight.value = try Tensor(shape: layer.rotationOut.weight.shape, scalars: newOut.map(Float.init))
        layer.core.weight.value = try Tensor(shape: layer.core.weight.shape, scalars: newCore)
    }
}
