import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Li et al.'s CIFAR-10 configurations ("Pruning Filters for Efficient ConvNets", ICLR 2017), exactly as the
/// re-implementation in Eric-mingjie/rethinking-network-pruning (baselines.md section 2).
extension PruningConfig {
    /// The two ResNet settings of the paper.
    public enum LiEtAlVariant: String, Sendable {
        /// ResNet-56-A / ResNet-110-A.
        case a
        /// ResNet-56-B / ResNet-110-B.
        case b
    }

    /// ResNet-56 or -110: only the first conv of each block is pruned (groups `layerS.B.conv1`), with the
    /// paper's per-stage ratios; the residual streams and the sensitive "skip" convs are ignored. Conv ids count
    /// from 1 at the stem, so block b (0-based over the network) has its first conv at id 2 + 2b.
    /// ResNet-56-A: skip {16, 20, 38, 54}, 10% everywhere (widths 14/28/57); B: skip {16, 18, 20, 34, 38, 54},
    /// 60/30/10%. ResNet-110-A: skip {36}, 50/0/0%; B: skip {36, 38, 74}, 50/40/30%.
    ///
    /// ```swift
    /// let config = try PruningConfig.liEtAl(resNetDepth: 56, variant: .a)
    /// ```
    public static func liEtAl(resNetDepth depth: Int, variant: LiEtAlVariant) throws -> PruningConfig {
        let settings: (skip: Set<Int>, ratios: [Double])
        switch (depth, variant) {
        case (56, .a): settings = ([16, 20, 38, 54], [0.1, 0.1, 0.1])
        case (56, .b): settings = ([16, 18, 20, 34, 38, 54], [0.6, 0.3, 0.1])
        case (110, .a): settings = ([36], [0.5, 0, 0])
        case (110, .b): settings = ([36, 38, 74], [0.5, 0.4, 0.3])
        default:
            throw PruneKitError.invalidParameter(name: "depth", expected: "56 or 110 (Li et al. define ResNet settings for those only)", found: "\(depth)")
        }
        var config = PruningConfig()
        (config.target, config.scope, config.ignored) = (.channelRatio(0), .uniform, ["conv1", "layer1", "layer2", "layer3"])
        let blocks = (depth - 2) / 6
        for index in 0..<(3 * blocks) {
            let name = "layer\(index / blocks + 1).\(index % blocks).conv1"
            if settings.skip.contains(2 + 2 * index) { config.ignored.append(name) } else { config.groupRatios[name] = settings.ratios[index / blocks] }
        }
        return config
    }

    /// VGG-16 "pruned-A": conv1_1 and the last six convs halved (widths 32, 64, 128, 128, 256 x 3, 256 x 6).
    public static func liEtAlVGG16() -> PruningConfig {
        var config = PruningConfig()
        (config.target, config.scope) = (.channelRatio(0), .uniform)
        for index in [0, 24, 27, 30, 34, 37, 40] { config.groupRatios["feature.\(index)"] = 0.5 }
        return config
    }
}

/// Li et al.'s configurations by name, for `prune-cli prune --method l1 --preset li-resnet56-b`: each fixes the
/// target (per-group ratios), scope and ignored groups exactly as `PruningConfig.liEtAl(resNetDepth:variant:)` and
/// `liEtAlVGG16()`, and names the one architecture it was defined for.
///
/// ```swift
/// let preset = try LiEtAlPreset(named: "li-resnet56-b")
/// try preset.check(model.spec)          // throws unless ResNet-56
/// let config = try preset.config()      // 60/30/10% of the first convs, skip {16, 18, 20, 34, 38, 54}
/// ```
public struct LiEtAlPreset: Sendable {
    /// The name, e.g. `li-resnet56-b`.
    public let name: String
    /// The network it applies to.
    public let family: ModelSpec.Family
    /// Its depth (56, 110 or 16).
    public let depth: Int
    /// The ResNet variant (nil for VGG-16).
    public let variant: PruningConfig.LiEtAlVariant?
    /// One line for `methods --detail l1`.
    public let summary: String

    /// Every preset: ResNet-56-A/B, ResNet-110-A/B (Li et al. Table 1 as re-implemented by Liu et al. 2019) and
    /// VGG-16-A.
    public static let all: [LiEtAlPreset] = [
        LiEtAlPreset(name: "li-resnet56-a", family: .resNet, depth: 56, variant: .a,
                     summary: "ResNet-56-A: first convs 10% in every stage, skip convs 16, 20, 38, 54"),
        LiEtAlPreset(name: "li-resnet56-b", family: .resNet, depth: 56, variant: .b,
                     summary: "ResNet-56-B: first convs 60/30/10% by stage, skip convs 16, 18, 20, 34, 38, 54"),
        LiEtAlPreset(name: "li-resnet110-a", family: .resNet, depth: 110, variant: .a,
                     summary: "ResNet-110-A: first convs 50% in stage 1 only, skip conv 36"),
        LiEtAlPreset(name: "li-resnet110-b", family: .resNet, depth: 110, variant: .b,
                     summary: "ResNet-110-B: first convs 50/40/30% by stage, skip convs 36, 38, 74"),
        LiEtAlPreset(name: "li-vgg16-a", family: .vgg, depth: 16, variant: nil,
                     summary: "VGG-16-A: conv1_1 and the last six convs halved"),
    ]

    /// The preset called `name`; throws `invalidParameter(name: "preset")` listing them otherwise.
    public init(named name: String) throws {
        guard let preset = Self.all.first(where: { $0.name == name.lowercased() }) else {
            throw PruneKitError.invalidParameter(name: "preset", expected: "one of \(Self.all.map(\.name).joined(separator: ", "))", found: "'\(name)'")
        }
        self = preset
    }

    private init(name: String, family: ModelSpec.Family, depth: Int, variant: PruningConfig.LiEtAlVariant?, summary: String) {
        (self.name, self.family, self.depth, self.variant, self.summary) = (name, family, depth, variant, summary)
    }

    /// The configuration (target, scope, ignored groups, per-group ratios).
    public func config() throws -> PruningConfig {
        guard let variant else { return PruningConfig.liEtAlVGG16() }
        return try PruningConfig.liEtAl(resNetDepth: depth, variant: variant)
    }

    /// Throws unless `spec` is the architecture the preset names its groups for.
    public func check(_ spec: ModelSpec) throws {
        guard spec.family == family, spec.depth == depth else {
            throw PruneKitError.invalidParameter(name: "preset", expected: "a \(family.rawValue)-\(depth) model for '\(name)'",
                                                 found: "\(spec.family.rawValue)-\(spec.depth)")
        }
    }
}
