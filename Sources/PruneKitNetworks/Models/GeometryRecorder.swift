import PruneKitCore

/// Walks a spec's forward pass on shapes alone, recording a `LayerCost` for every Conv2d, Linear and
/// BatchNorm in state_dict order. Each architecture drives one of these; `ModelCost` and the layer builders
/// read the result.
///
/// The state is the current per-image activation shape ([C, H, W] or [F]) and the width-table entry that set
/// its leading axis, so that a BatchNorm inherits the entry of the layer (or stream) it normalises.
struct GeometryRecorder {
    /// Current activation shape and the width entry behind its channels; saved and restored around branches.
    struct State: Equatable {
        var shape: [Int]
        var widthName: String?
    }

    let spec: ModelSpec
    var state: State
    private(set) var layers: [LayerCost] = []

    init(spec: ModelSpec) {
        self.spec = spec
        state = State(shape: spec.inputShape, widthName: nil)
    }

    /// A square convolution writing `widthName`'s width: OH = (H + 2P - K) / S + 1.
    mutating func convolution(_ name: String, widthName: String, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                              bias: Bool) throws {
        let input = state.shape
        guard input.count == 3 else { throw mismatch(name, expected: "[C, H, W] input", found: input) }
        let outputHeight = (input[1] + 2 * padding - kernelSize) / stride + 1
        let outputWidth = (input[2] + 2 * padding - kernelSize) / stride + 1
        guard input[1] + 2 * padding >= kernelSize, input[2] + 2 * padding >= kernelSize else {
            throw mismatch(name, expected: "a feature map of at least \(kernelSize)x\(kernelSize) after padding", found: input)
        }
        let output = [try spec.width(of: widthName), outputHeight, outputWidth]
        layers.append(LayerCost(name: name, kind: .convolution, inputShape: input, outputShape: output, kernelSize: kernelSize,
                                stride: stride, padding: padding, hasBias: bias, widthName: widthName))
        state = State(shape: output, widthName: widthName)
    }

    /// A linear layer on flat features writing `widthName`'s width, or `classCount` when `widthName` is nil.
    mutating func linear(_ name: String, widthName: String?, bias: Bool = true) throws {
        let input = state.shape
        guard input.count == 1 else { throw mismatch(name, expected: "flat [F] input", found: input) }
        let output = [try widthName.map { try spec.width(of: $0) } ?? spec.classCount]
        layers.append(LayerCost(name: name, kind: .linear, inputShape: input, outputShape: output, hasBias: bias,
                                widthName: widthName))
        state = State(shape: output, widthName: widthName)
    }

    /// BatchNorm over the current channels (or features); shape unchanged.
    mutating func batchNorm(_ name: String) {
        layers.append(LayerCost(name: name, kind: .batchNorm, inputShape: state.shape, outputShape: state.shape,
                                widthName: state.widthName))
    }

    /// Max or average pooling with window and stride `kernelSize`, no padding: OH = (H - K) / K + 1.
    mutating func pool(_ name: String, kernelSize: Int) throws {
        let input = state.shape
        guard input.count == 3, input[1] >= kernelSize, input[2] >= kernelSize else {
            throw mismatch(name, expected: "a [C, H, W] feature map of at least \(kernelSize)x\(kernelSize)",
                           found: input)
        }
        state.shape = [input[0], (input[1] - kernelSize) / kernelSize + 1, (input[2] - kernelSize) / kernelSize + 1]
    }

    /// [C, H, W] -> [C].
    mutating func globalAveragePool() {
        state.shape = [state.shape[0]]
    }

    /// [C, H, W] -> [C * H * W].
    mutating func flatten() {
        state.shape = [state.shape.reduce(1, *)]
    }

    /// Checks that a residual add's two operands agree, naming the block.
    func checkResidual(_ block: String, main: State, shortcut: [Int]) throws {
        guard main.shape == shortcut else {
            throw PruneKitError.shapeMismatch(operation: "model spec \(spec.name): residual add of \(block)",
                                              expected: "\(main.shape)", found: "\(shortcut) from the shortcut")
        }
    }

    private func mismatch(_ name: String, expected: String, found: [Int]) -> PruneKitError {
        .shapeMismatch(operation: "model spec \(spec.name): layer '\(name)'", expected: expected, found: "\(found)")
    }
}
