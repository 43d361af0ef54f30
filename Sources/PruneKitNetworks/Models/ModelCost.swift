import Foundation
import PruneKitCore

/// Per-layer and total parameters and forward FLOPs of a spec, computed from its geometry alone (nothing is
/// built, so WRN-28-10 costs microseconds). Conventions are `LayerCost`'s, i.e. those of
/// `count_flops_params` in ../shared/perf/models.py: FLOPs per image, multiply-add = 2, only convolutions and
/// linear layers count. The parameter total includes BatchNorm's gamma and beta, as PyTorch's
/// `sum(p.numel() for p in model.parameters())` does.
///
/// ```swift
/// let cost = try ModelCost(spec: ModelZoo.spec(named: "resnet56"))
/// cost.parameterCount        // 853,018
/// cost.flops                 // 250,971,392 (251.0 M)
/// print(cost)                // one line per layer, then totals
/// ```
public struct ModelCost: CustomStringConvertible, Sendable {
    /// The spec's `name`.
    public let modelName: String
    /// Per-image input shape.
    public let inputShape: [Int]
    /// Every Conv2d, Linear and BatchNorm in state_dict order.
    public let layers: [LayerCost]

    /// Validates `spec` and records its geometry.
    public init(spec: ModelSpec) throws {
        modelName = spec.name
        inputShape = spec.inputShape
        layers = try spec.validatedGeometry()
    }

    /// Total parameter scalars.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// Total forward FLOPs for one image.
    public var flops: Int { layers.reduce(0) { $0 + $1.flops } }

    /// The layer named `name`, if any.
    public func layer(named name: String) -> LayerCost? { layers.first { $0.name == name } }

    /// A table: name, kind, input and output shape, parameters, FLOPs; then the totals.
    public var description: String {
        let nameWidth = max(layers.map(\.name.count).max() ?? 0, 5)
        let kindWidth = max(12, (layers.map(\.kind.rawValue.count).max() ?? 0) + 1)
        var lines = [pad("layer", nameWidth) + "  " + pad("kind", kindWidth) + pad("input", 16) + pad("output", 16)
                     + pad("params", 12, right: true) + pad("FLOPs", 16, right: true)]
        for layer in layers {
            lines.append(pad(layer.name, nameWidth) + "  " + pad(layer.kind.rawValue, kindWidth) + pad("\(layer.inputShape)", 16)
                         + pad("\(layer.outputShape)", 16) + pad(Self.grouped(layer.parameterCount), 12, right: true)
                         + pad(Self.grouped(layer.flops), 16, right: true))
        }
        lines.append("\(modelName) on \(inputShape): \(Self.grouped(parameterCount)) parameters, "
                     + "\(String(format: flops < 10_000_000 ? "%.2f" : "%.1f", Double(flops) / 1e6)) M FLOPs per image "
                     + "(\(Self.grouped(flops)))")
        return lines.joined(separator: "\n")
    }

    /// 1234567 -> "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        let groups = stride(from: digits.count, to: 0, by: -3).reversed().map { end -> String in
            let start = max(end - 3, 0)
            return String(digits.dropFirst(start).prefix(end - start))
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(width - text.count, 0))
        return right ? fill + text : text + fill
    }
}
