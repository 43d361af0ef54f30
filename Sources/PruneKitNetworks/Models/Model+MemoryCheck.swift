import Foundation
import PruneKitCore

/// A forward pass's largest buffer, checked against the machine before the pass allocates it.
///
/// `ModelLimits` bounds one image's activations (2^28 elements per layer); a batch multiplies that, so a
/// checkpoint within every limit (LeNet-5 with 65,536 conv1 channels, say) could still ask `eval` at batch 256
/// for a single 39 GB buffer, and a failed mapping of an op's output traps (op outputs take the fast
/// allocation path). This check turns that into a thrown `allocationFailed` naming the layer, the batch and the
/// bytes: the pass is refused when one buffer — a layer's input or output, or a convolution's im2col columns
/// (C·k·k × OH·OW per image) — would exceed the machine's physical memory for the batch given.
extension Model {
    /// Elements per image of the largest single buffer the forward pass of `spec` at `geometry` makes, and the
    /// layer that makes it. Computed once when the model is built (`Model.largestBufferPerImage`): pruning only
    /// narrows layers, so the figure stays an upper bound.
    static func largestBuffer(spec: ModelSpec, geometry: [LayerCost]) -> (layer: String, elements: Int) {
        var largest = (layer: "input", elements: spec.inputShape.reduce(1, *))
        for layer in geometry {
            var elements = max(LayerCost.product(layer.inputShape) ?? .max, LayerCost.product(layer.outputShape) ?? .max)
            if layer.kind == .convolution, layer.outputShape.count == 3 {
                let columns = LayerCost.product([layer.inputWidth, layer.kernelSize, layer.kernelSize,
                                                 layer.outputShape[1], layer.outputShape[2]]) ?? .max
                elements = max(elements, columns)
            }
            if elements > largest.elements { largest = (layer.name, elements) }
        }
        return largest
    }

    /// Throws `allocationFailed` when the forward pass at `batchSize` would need one buffer larger than the
    /// machine's physical memory (`ProcessInfo.physicalMemory`, read once per process).
    public func checkForwardMemory(batchSize: Int) throws {
        let (layer, elements) = largestBufferPerImage
        let (perBatch, overflow) = elements.multipliedReportingOverflow(by: max(batchSize, 1))
        let (bytes, bytesOverflow) = perBatch.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        let memory = Model.physicalMemory
        guard overflow || bytesOverflow || UInt64(bytes) > memory else { return }
        throw PruneKitError.allocationFailed(
            purpose: "the activations of layer '\(layer)' of model \(spec.name) for a batch of \(batchSize)",
            bytes: overflow || bytesOverflow ? "\(elements) x \(batchSize) x 4" : "\(bytes)",
            reason: "one buffer larger than this machine's physical memory (\(memory) bytes); use a smaller batch")
    }

    /// The machine's physical memory in bytes.
    static let physicalMemory = ProcessInfo.processInfo.physicalMemory
}
