/// The hand-differentiated primitives of PruneKit, in one list (STYLE.md rule 4). Everything else is
/// composed from these and has no backward of its own. Each entry has a central-difference gradient
/// check in `Tests/PruneKitTests/GradientCheckTests.swift`; the test suite asserts this list and its
/// checks agree, so a new primitive without a check fails the build's tests.
public enum Primitives {
    /// Operation tags as recorded on `Variable.operation`.
    public static let all: [String] = [
        "linear", "matmul", "conv2d", "batchNorm", "batchNormReLU", "relu", "maxPool2d", "avgPool2d", "globalAveragePool",
        "add", "multiplyChannels", "multiplyMask", "subsampleAndPadChannels", "scatterChannels", "reshape", "dropout", "softmaxCrossEntropy",
    ]
}
