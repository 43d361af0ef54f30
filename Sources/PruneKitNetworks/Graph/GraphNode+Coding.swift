import PruneKitCore

/// The JSON form of a node: one flat object with `name`, `op`, `inputs`, the optional `group`, and the operation's
/// attributes (snake_case, PyTorch's argument names where there is one):
///
/// | op | attributes (defaults) |
/// |---|---|
/// | `input` | `shape` [C, H, W] |
/// | `conv` | `out`, `kernel`, `stride` (1), `padding` (0), `groups` (1), `bias` (false), `sparsity` |
/// | `factorised_conv` | `rank_in`, `rank_out`, `out`, `kernel`, `stride` (1), `padding` (0), `bias` (false) |
/// | `linear` | `out`, `bias` (true), `sparsity` |
/// | `batch_norm`, `relu`, `global_avg_pool`, `flatten`, `add` | none |
/// | `max_pool`, `avg_pool` | `kernel`, `stride` (= kernel) |
/// | `channel_pad` | `out`, `stride` (1) |
/// | `channel_scatter` | `out`, `indices` (where each input channel goes; the others hold the buffer `name.fill`) |
/// | `dropout` | `p` |
///
/// `sparsity` is `{"columns": [kept column indices]}` or `{"blocks": [block size per row]}` (`SparsityRecord`).
/// An unknown `op` or attribute is an error naming the node and the key, so a typo never passes silently.
///
/// ```json
/// {"name": "layer1.0.conv1", "op": "conv", "inputs": ["relu"], "out": 16, "kernel": 3, "padding": 1}
/// ```
extension GraphNode: Codable {
    struct Key: CodingKey, Hashable {
        let stringValue: String
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// Attribute keys each op accepts besides name, op, inputs and group.
    static let attributeKeys: [String: Set<String>] = [
        "input": ["shape"], "conv": ["out", "kernel", "stride", "padding", "groups", "bias", "sparsity"],
        "factorised_conv": ["rank_in", "rank_out", "out", "kernel", "stride", "padding", "bias"],
        "linear": ["out", "bias", "sparsity"], "batch_norm": [], "relu": [], "global_avg_pool": [], "flatten": [], "add": [],
        "max_pool": ["kernel", "stride"], "avg_pool": ["kernel", "stride"], "channel_pad": ["out", "stride"], "dropout": ["p"],
        "channel_scatter": ["out", "indices"],
    ]

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let nodeName = try container.decode(String.self, forKey: Key("name"))
        name = nodeName
        let op = try container.decode(String.self, forKey: Key("op"))
        guard let allowed = Self.attributeKeys[op] else {
            throw PruneKitError.invalidParameter(name: "node '\(name)' op", expected: "one of \(Self.attributeKeys.keys.sorted().joined(separator: ", "))",
                                                 found: "'\(op)'")
        }
        if let unknown = container.allKeys.map(\.stringValue).first(where: { !allowed.contains($0) && !["name", "op", "inputs", "group"].contains($0) }) {
            throw PruneKitError.invalidParameter(name: "node '\(name)' (\(op))",
                                                 expected: "attributes among \(allowed.sorted())", found: "'\(unknown)'")
        }
        inputs = try container.decodeIfPresent([String].self, forKey: Key("inputs")) ?? []
        group = try container.decodeIfPresent(String.self, forKey: Key("group"))
        func integer(_ key: String, _ fallback: Int? = nil) throws -> Int {
            if let value = try container.decodeIfPresent(Int.self, forKey: Key(key)) { return value }
            guard let fallback else {
                throw PruneKitError.invalidParameter(name: "node '\(nodeName)' (\(op))", expected: "attribute '\(key)'", found: "none")
            }
            return fallback
        }
        func flag(_ key: String, _ fallback: Bool) throws -> Bool { try container.decodeIfPresent(Bool.self, forKey: Key(key)) ?? fallback }
        let sparsity = try container.decodeIfPresent(SparsityRecord.self, forKey: Key("sparsity"))
        switch op {
        case "input": operation = .input(shape: try container.decode([Int].self, forKey: Key("shape")))
        case "conv":
            operation = .convolution(.init(outputChannels: try integer("out"), kernelSize: try integer("kernel"), stride: try integer("stride", 1),
                                           padding: try integer("padding", 0), groups: try integer("groups", 1), bias: try flag("bias", false),
                                           sparsity: sparsity))
        case "factorised_conv":
            operation = .factorisedConvolution(.init(inputRank: try integer("rank_in"), outputRank: try integer("rank_out"),
                                                     outputChannels: try integer("out"), kernelSize: try integer("kernel"),
                                                     stride: try integer("stride", 1), padding: try integer("padding", 0),
                                                     bias: try flag("bias", false)))
        case "linear": operation = .linear(.init(outputFeatures: try integer("out"), bias: try flag("bias", true), sparsity: sparsity))
        case "batch_norm": operation = .batchNorm
        case "relu": operation = .relu
        case "global_avg_pool": operation = .globalAveragePool
        case "flatten": operation = .flatten
        case "add": operation = .add
        case "max_pool":
            let kernel = try integer("kernel")
            operation = .maxPool(kernelSize: kernel, stride: try integer("stride", kernel))
        case "avg_pool":
            let kernel = try integer("kernel")
            operation = .averagePool(kernelSize: kernel, stride: try integer("stride", kernel))
        case "channel_pad": operation = .channelPad(outputChannels: try integer("out"), stride: try integer("stride", 1))
        case "channel_scatter":
            operation = .channelScatter(outputChannels: try integer("out"), indices: try container.decode([Int].self, forKey: Key("indices")))
        default: operation = .dropout(probability: try container.decode(Float.self, forKey: Key("p")))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(name, forKey: Key("name"))
        try container.encode(operation.jsonName, forKey: Key("op"))
        if !inputs.isEmpty { try container.encode(inputs, forKey: Key("inputs")) }
        try container.encodeIfPresent(group, forKey: Key("group"))
        func put<T: Encodable>(_ value: T, _ key: String) throws { try container.encode(value, forKey: Key(key)) }
        switch operation {
        case let .input(shape): try put(shape, "shape")
        case let .convolution(a):
            try put(a.outputChannels, "out"); try put(a.kernelSize, "kernel")
            if a.stride != 1 { try put(a.stride, "stride") }
            if a.padding != 0 { try put(a.padding, "padding") }
            if a.groups != 1 { try put(a.groups, "groups") }
            if a.bias { try put(true, "bias") }
            if let sparsity = a.sparsity { try put(sparsity, "sparsity") }
        case let .factorisedConvolution(a):
            try put(a.inputRank, "rank_in"); try put(a.outputRank, "rank_out"); try put(a.outputChannels, "out")
            try put(a.kernelSize, "kernel")
            if a.stride != 1 { try put(a.stride, "stride") }
            if a.padding != 0 { try put(a.padding, "padding") }
            if a.bias { try put(true, "bias") }
        case let .linear(a):
            try put(a.outputFeatures, "out")
            if !a.bias { try put(false, "bias") }
            if let sparsity = a.sparsity { try put(sparsity, "sparsity") }
        case let .maxPool(kernel, stride), let .averagePool(kernel, stride):
            try put(kernel, "kernel")
            if stride != kernel { try put(stride, "stride") }
        case let .channelPad(outputChannels, stride):
            try put(outputChannels, "out")
            if stride != 1 { try put(stride, "stride") }
        case let .channelScatter(outputChannels, indices):
            try put(outputChannels, "out"); try put(indices, "indices")
        case let .dropout(probability): try put(probability, "p")
        case .batchNorm, .relu, .globalAveragePool, .flatten, .add: break
        }
    }
}

extension GraphOperation {
    /// The JSON `op` value.
    public var jsonName: String {
        switch self {
        case .input: "input"
        case .convolution: "conv"
        case .factorisedConvolution: "factorised_conv"
        case .linear: "linear"
        case .batchNorm: "batch_norm"
        case .relu: "relu"
        case .maxPool: "max_pool"
        case .averagePool: "avg_pool"
        case .globalAveragePool: "global_avg_pool"
        case .flatten: "flatten"
        case .add: "add"
        case .channelPad: "channel_pad"
        case .channelScatter: "channel_scatter"
        case .dropout: "dropout"
        }
    }
}

/// `{"columns": [...]}` or `{"blocks": [...]}`.
extension SparsityRecord: Codable {
    enum CodingKeys: String, CodingKey { case columns, blocks }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let kept = try container.decodeIfPresent([Int].self, forKey: .columns) {
            self = .columns(kept: kept)
        } else if let sizes = try container.decodeIfPresent([Int].self, forKey: .blocks) {
            self = .blocks(rowBlockSizes: sizes)
        } else {
            throw PruneKitError.invalidParameter(name: "sparsity", expected: "{\"columns\": [...]} or {\"blocks\": [...]}", found: "neither key")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .columns(kept): try container.encode(kept, forKey: .columns)
        case let .blocks(sizes): try container.encode(sizes, forKey: .blocks)
        }
    }
}
