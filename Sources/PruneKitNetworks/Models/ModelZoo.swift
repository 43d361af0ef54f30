import PruneKitCore

/// The named models: an explicit table name -> spec at standard widths (the CLI's `--model NAME` and
/// `list` read it), plus the general forms `resnetD` / `resnetD-b` (D = 6n + 2), `vggD` (11, 13, 16, 19)
/// and `wrn-D-K` (D = 6n + 4). Parameter counts and FLOPs (per 3x32x32 or 1x28x28 image) match
/// ../shared/perf/README.md; the JSON form of each entry is `Models/<name>.json`.
///
/// ```swift
/// let model = try ModelZoo.build(name: "wrn-16-4", seed: 1)
/// for entry in ModelZoo.entries { print(entry.name, entry.summary) }
/// ```
public enum ModelZoo {
    /// One row of the table.
    public struct Entry: Sendable {
        /// The `--model` name, equal to `spec.name`.
        public let name: String
        /// One line for `list`: architecture, paper, dataset shape.
        public let summary: String
        /// The spec at standard widths.
        public let spec: ModelSpec
    }

    /// The table, in the order `list` prints it.
    public static let entries: [Entry] = [
        Entry(name: "mlp", summary: "MLP 784-300-100-10, ReLU (LeNet-300-100), MNIST", spec: .multilayerPerceptron()),
        Entry(name: "lenet5", summary: "LeNet-5, Caffe form 20-50-500 (Han et al. 2015), MNIST", spec: .leNet5()),
        Entry(name: "lenet5-classic", summary: "LeNet-5, classic 6-16-120-84 with ReLU, MNIST", spec: .leNet5(classic: true)),
        Entry(name: "vgg11", summary: "VGG-11-BN, CIFAR, network-slimming layout", spec: .vgg(depth: 11)),
        Entry(name: "vgg13", summary: "VGG-13-BN, CIFAR, network-slimming layout", spec: .vgg(depth: 13)),
        Entry(name: "vgg16", summary: "VGG-16-BN, CIFAR, network-slimming layout", spec: .vgg(depth: 16)),
        Entry(name: "vgg19", summary: "VGG-19-BN, CIFAR, network-slimming layout", spec: .vgg(depth: 19)),
        Entry(name: "resnet20", summary: "ResNet-20, CIFAR, option A shortcuts (He et al. 2016)", spec: .resNet(depth: 20)),
        Entry(name: "resnet32", summary: "ResNet-32, CIFAR, option A shortcuts", spec: .resNet(depth: 32)),
        Entry(name: "resnet56", summary: "ResNet-56, CIFAR, option A shortcuts", spec: .resNet(depth: 56)),
        Entry(name: "resnet110", summary: "ResNet-110, CIFAR, option A shortcuts", spec: .resNet(depth: 110)),
        Entry(name: "resnet20-b", summary: "ResNet-20, CIFAR, option B (1x1 conv + BN) shortcuts",
              spec: .resNet(depth: 20, shortcut: .projection)),
        Entry(name: "resnet32-b", summary: "ResNet-32, CIFAR, option B shortcuts", spec: .resNet(depth: 32, shortcut: .projection)),
        Entry(name: "resnet56-b", summary: "ResNet-56, CIFAR, option B shortcuts", spec: .resNet(depth: 56, shortcut: .projection)),
        Entry(name: "resnet110-b", summary: "ResNet-110, CIFAR, option B shortcuts",
              spec: .resNet(depth: 110, shortcut: .projection)),
        Entry(name: "wrn-16-4", summary: "Wide ResNet 16-4, CIFAR (Zagoruyko and Komodakis 2016)",
              spec: .wideResNet(depth: 16, widthFactor: 4)),
        Entry(name: "wrn-28-10", summary: "Wide ResNet 28-10, CIFAR", spec: .wideResNet(depth: 28, widthFactor: 10)),
        Entry(name: "resnet-v2-56", summary: "ResNet-v2-56, CIFAR, pre-activation bottlenecks (He et al. 2016; BPCP)",
              spec: .resNetV2(depth: 56)),
    ]

    /// The table's names, in order.
    public static var names: [String] { entries.map(\.name) }

    /// The validated spec for `name` (case-insensitive): a table entry or one of the general forms.
    /// Throws `usage` for an unknown name, or the spec's validation error (e.g. `resnet21`).
    public static func spec(named name: String) throws -> ModelSpec {
        let key = name.lowercased()
        if let entry = entries.first(where: { $0.name == key }) { return entry.spec }
        guard let spec = parse(key) else {
            throw PruneKitError.invalidParameter(name: "model", expected: "one of \(names.joined(separator: ", ")); "
                                      + "also resnetD and resnetD-b (D = 6n + 2), resnet-v2-D (D = 9n + 2), vggD (11, 13, 16, 19), wrn-D-K (D = 6n + 4)", found: "'\(name)'")
        }
        try spec.validate()
        return spec
    }

    /// `Model(spec: spec(named: name), seed: seed)`.
    public static func build(name: String, seed: UInt64) throws -> Model {
        try Model(spec: spec(named: name), seed: seed)
    }

    /// The general forms; nil when `key` matches none.
    private static func parse(_ key: String) -> ModelSpec? {
        if key.hasPrefix("wrn-") {
            let parts = key.dropFirst(4).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let depth = Int(parts[0]), let factor = Int(parts[1]) else { return nil }
            return .wideResNet(depth: depth, widthFactor: factor)
        }
        if key.hasPrefix("vgg"), let depth = Int(key.dropFirst(3)) { return .vgg(depth: depth) }
        if key.hasPrefix("resnet-v2-") { return Int(key.dropFirst(10)).map { .resNetV2(depth: $0) } }
        guard key.hasPrefix("resnet") else { return nil }
        var rest = key.dropFirst(6), shortcut = ModelSpec.Shortcut.zeroPadding
        if rest.hasSuffix("-b") { shortcut = .projection } else if !rest.hasSuffix("-a") { rest += "-a" }
        guard let depth = Int(rest.dropLast(2)) else { return nil }
        return .resNet(depth: depth, shortcut: shortcut)
    }
}
