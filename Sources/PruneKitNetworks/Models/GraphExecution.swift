import PruneKitCore

/// A `NetworkGraph` compiled into steps over the model's layers, once when the model is built.
///
/// Each step reads value slots (one per node) and writes the slot of its last node. Patterns fuse into one step:
/// - a convolution chain: conv (or factorised conv) [-> batch norm] [-> add, as its first operand] [-> ReLU], each link
///   the only reader of the one before. In fused evaluation it is one `Conv2d.inference` call (BN folded, residual and
///   ReLU in the epilogue); otherwise conv, then `BatchNorm.withReLU(_, residual:)` (the fused `batchNormReLU` op) or
///   the plain ops. This is what the hand-written blocks did (BasicBlock, PreActivationBlock, Sequential).
/// - a batch-norm chain: batch norm [-> add as first operand] [-> ReLU] (pre-activation `bn1`, the final `bn`).
/// A chain's step sits at its last node, so every operand (the residual branch too) is computed before it runs.
/// Slots are released after their last reader, so evaluation keeps only live activations.
struct GraphExecution {
    /// One step: what to compute, from which slots, into which slot.
    enum Operation {
        case convolution(Layer, batchNorm: BatchNorm?, residual: Int?, relu: Bool)
        case batchNorm(BatchNorm, residual: Int?, relu: Bool)
        case linear(Linear)
        case relu
        case maxPool(kernelSize: Int, stride: Int)
        case averagePool(kernelSize: Int, stride: Int)
        case globalAveragePool
        case flatten
        case add
        case channelPad(stride: Int, width: () -> Int)
        case channelScatter(ChannelScatter)
        case dropout(probability: Float)
    }

    struct Step {
        let operation: Operation
        /// Slots of the inputs (for a chain: the head's input).
        let inputs: [Int]
        /// The slot written.
        let output: Int
        /// Slots whose last reader this step is.
        var releases: [Int] = []
    }

    let steps: [Step]
    let slotCount: Int

    /// Compiles `graph` over `layers` (module name -> Conv2d, FactorisedConv2d, BatchNorm or Linear).
    init(graph: NetworkGraph, layers: [String: Layer]) throws {
        let consumers = graph.consumers(), inputs = graph.inputIndices(), nodes = graph.nodes
        var absorbed = Set<Int>(), placed: [Int: Step] = [:]
        func onlyReader(of index: Int, where test: (GraphNode) -> Bool) -> Int? {
            guard consumers[index].count == 1, let next = consumers[index].first, test(nodes[next]) else { return nil }
            return next
        }
        func isFirstOperandAdd(_ node: GraphNode, of source: Int) -> Bool {
            node.operation == .add && node.inputs.count == 2 && node.inputs[0] == nodes[source].name
        }
        func layer<T>(_ name: String, as type: T.Type) throws -> T {
            guard let layer = layers[name] as? T else {
                throw PruneKitError.invalidArgument(operation: "model graph", message: "no \(T.self) layer for node '\(name)'")
            }
            return layer
        }
        /// Extends a chain at `index` by an optional BN (when allowed), add and ReLU; returns the parts and the last node.
        func chain(from index: Int, allowBatchNorm: Bool) throws -> (BatchNorm?, Int?, Bool, Int) {
            var last = index, batchNorm: BatchNorm?, residual: Int?, relu = false
            if allowBatchNorm, let next = onlyReader(of: last, where: { $0.operation == .batchNorm }) {
                batchNorm = try layer(nodes[next].name, as: BatchNorm.self); absorbed.insert(next); last = next
            }
            if let next = onlyReader(of: last, where: { isFirstOperandAdd($0, of: last) }) {
                residual = inputs[next][1]; absorbed.insert(next); last = next
            }
            if let next = onlyReader(of: last, where: { $0.operation == .relu }) {
                relu = true; absorbed.insert(next); last = next
            }
            return (batchNorm, residual, relu, last)
        }
        var padWidths: [Int: () -> Int] = [:]
        for (index, node) in nodes.enumerated().dropFirst() where !absorbed.contains(index) {
            let operation: Operation
            var output = index
            switch node.operation {
            case .convolution, .factorisedConvolution:
                let head: Layer = node.operation.isFactorised ? try layer(node.name, as: FactorisedConv2d.self) : try layer(node.name, as: Conv2d.self)
                let (batchNorm, residual, relu, last) = try chain(from: index, allowBatchNorm: true)
                operation = .convolution(head, batchNorm: batchNorm, residual: residual, relu: relu)
                output = last
            case .batchNorm:
                let (_, residual, relu, last) = try chain(from: index, allowBatchNorm: false)
                operation = .batchNorm(try layer(node.name, as: BatchNorm.self), residual: residual, relu: relu)
                output = last
            case .linear: operation = .linear(try layer(node.name, as: Linear.self))
            case .relu: operation = .relu
            case let .maxPool(kernel, stride): operation = .maxPool(kernelSize: kernel, stride: stride)
            case let .averagePool(kernel, stride): operation = .averagePool(kernelSize: kernel, stride: stride)
            case .globalAveragePool: operation = .globalAveragePool
            case .flatten: operation = .flatten
            case .add: operation = .add
            case let .channelPad(outputChannels, stride):
                let width = Self.liveWidth(of: index, graph: graph, layers: layers, padWidths: padWidths, fallback: outputChannels)
                padWidths[index] = width
                operation = .channelPad(stride: stride, width: width)
            case .channelScatter: operation = .channelScatter(try layer(node.name, as: ChannelScatter.self))
            case let .dropout(probability): operation = .dropout(probability: probability)
            case .input: continue
            }
            placed[output] = Step(operation: operation, inputs: inputs[index], output: output)
        }
        var ordered = placed.keys.sorted().map { placed[$0]! }
        // Release each slot after the last step that reads it (the residual operand counts as read).
        var lastReader: [Int: Int] = [:]
        for (position, step) in ordered.enumerated() {
            for slot in step.inputs + (step.residualSlot.map { [$0] } ?? []) { lastReader[slot] = position }
        }
        for (slot, position) in lastReader where slot != 0 { ordered[position].releases.append(slot) }
        steps = ordered
        slotCount = nodes.count
    }

    /// The output width an option-A pad must produce, read from the live layers so that it follows pruning
    /// (`NetworkGraph.padTarget`): the width of the layer its add partner comes from, or its input's width plus the
    /// padding it was built with. The source may itself be an earlier pad (a stage whose blocks were all removed
    /// leaves two pads in a row); its live width comes from `padWidths`, the closures of the pads before it.
    private static func liveWidth(of pad: Int, graph: NetworkGraph, layers: [String: Layer], padWidths: [Int: () -> Int],
                                  fallback: Int) -> () -> Int {
        func source(_ index: Int) -> () -> Int? {
            if let padWidth = padWidths[index] { return { padWidth() } }
            let layer = layers[graph.nodes[index].name]
            return { (layer as? Conv2d)?.outputChannels ?? (layer as? FactorisedConv2d)?.outputChannels ?? (layer as? Linear)?.outputFeatures }
        }
        switch graph.padTarget(of: pad) {
        case let .partner(index):
            let width = source(index)
            return { width() ?? fallback }
        case let .fixedPadding(index):
            let width = source(index)
            let padding = fallback - (width() ?? fallback)
            return { (width() ?? fallback) + padding }
        case .none:
            return { fallback }
        }
    }

    /// Runs the steps on `input` ([N] + input shape) and returns the last node's value.
    func run(_ input: Variable, _ context: ForwardContext) throws -> Variable {
        var slots = [Variable?](repeating: nil, count: slotCount)
        slots[0] = input
        try run(steps.indices, on: &slots, context)
        return slots[slotCount - 1]!
    }

    /// Runs steps `range` on `slots` (the values live before its first step), releasing each slot after its last
    /// reader: afterwards `slots` holds exactly what the later steps still need (and the written outputs). With
    /// `range` ending at the last step, the last slot holds the logits.
    func run(_ range: Range<Int>, on slots: inout [Variable?], _ context: ForwardContext) throws {
        for step in steps[range] {
            let value = slots[step.inputs[0]]!
            slots[step.output] = try Self.apply(step, value, slots, context)
            for slot in step.releases { slots[slot] = nil }
        }
    }

    /// The step that finishes `layer`'s output channels, when a per-channel scale m >= 0 of that step's output
    /// equals scaling the layer's channels (its weight and bias, or a BatchNorm's gamma and beta): the step computes
    /// `layer` (as a chain's head, its BatchNorm, or alone) and adds no residual after it, so what follows the layer
    /// in the step (ReLU) commutes with the scale, relu(m x) = m relu(x). nil otherwise.
    func gatePoint(finishing layer: Layer) -> Int? {
        steps.firstIndex { step in
            switch step.operation {
            case let .convolution(head, batchNorm, residual, _):
                return residual == nil && (batchNorm === layer || (batchNorm == nil && head === layer))
            case let .batchNorm(batchNorm, residual, _): return residual == nil && batchNorm === layer
            case let .linear(linear): return linear === layer
            default: return false
            }
        }
    }

    private static func apply(_ step: Step, _ x: Variable, _ slots: [Variable?], _ context: ForwardContext) throws -> Variable {
        switch step.operation {
        case let .convolution(head, batchNorm, residualSlot, relu):
            let residual = residualSlot.map { slots[$0]! }
            if context.fusesInference {
                if let convolution = head as? Conv2d {
                    return try convolution.inference(x, batchNorm: batchNorm, residual: residual, relu: relu, context)
                }
                return try (head as! FactorisedConv2d).inference(x, batchNorm: batchNorm, residual: residual, relu: relu, context)
            }
            return try finish(try head(x, context), batchNorm: batchNorm, residual: residual, relu: relu, context)
        case let .batchNorm(batchNorm, residualSlot, relu):
            return try finish(x, batchNorm: batchNorm, residual: residualSlot.map { slots[$0]! }, relu: relu, context)
        case let .linear(linear): return try linear(x, context)
        case .relu: return PruneKitCore.relu(x)
        case let .maxPool(kernel, stride): return try maxPool2d(x, kernelSize: kernel, stride: stride)
        case let .averagePool(kernel, stride): return try avgPool2d(x, kernelSize: kernel, stride: stride)
        case .globalAveragePool: return try PruneKitCore.globalAveragePool(x)
        case .flatten: return try PruneKitCore.flatten(x)
        case .add:
            var sum = x
            for slot in step.inputs.dropFirst() { sum = try PruneKitCore.add(sum, slots[slot]!) }
            return sum
        case let .channelPad(stride, width):
            let padding = width() - x.shape[1]
            guard padding >= 0 else {
                throw PruneKitError.shapeMismatch(operation: "option-A shortcut", expected: "at most \(width()) input channels",
                                                  found: "\(x.shape[1])")
            }
            return try subsampleAndPadChannels(x, stride: stride, before: padding / 2, after: padding - padding / 2)
        case let .channelScatter(scatter): return try scatter(x, context)
        case let .dropout(probability):
            return try PruneKitCore.dropout(x, probability: probability, training: context.training, generator: &context.generator)
        }
    }

    /// y [-> bn] [+ residual] [-> relu], BN and ReLU through the fused `batchNormReLU` when both are present.
    private static func finish(_ y: Variable, batchNorm: BatchNorm?, residual: Variable?, relu: Bool,
                               _ context: ForwardContext) throws -> Variable {
        if let batchNorm, relu { return try batchNorm.withReLU(y, context, residual: residual) }
        var value = try batchNorm.map { try $0(y, context) } ?? y
        if let residual { value = try PruneKitCore.add(value, residual) }
        return relu ? PruneKitCore.relu(value) : value
    }
}

extension GraphExecution.Step {
    /// The residual operand's slot of a chain, if any.
    var residualSlot: Int? {
        switch operation {
        case let .convolution(_, _, residual, _), let .batchNorm(_, residual, _): return residual
        default: return nil
        }
    }
}

extension GraphOperation {
    /// Whether this is a factorised convolution.
    var isFactorised: Bool { if case .factorisedConvolution = self { return true } else { return false } }
}
