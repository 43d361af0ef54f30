import PruneKitCore

/// Training-time augmentation: random crop from a zero-padded image, then random horizontal flip, as
/// torchvision's `RandomCrop(size, padding: p)` + `RandomHorizontalFlip(0.5)` (the standard CIFAR recipe of
/// He et al. 2016, "Deep Residual Learning", §4.2).
///
/// The padding value is byte 0, applied before normalisation (torchvision pads the PIL image), so a padded
/// pixel becomes `(0 − mean) / std`, not 0. With crop offsets (dy, dx) in 0...2p and W the width:
///
///     cropped[c, y, x] = padded[c, y + dy, x + dx]           padded[c, i, j] = image[c, i − p, j − p] or 0
///     output[c, y, x]  = flip ? cropped[c, y, W − 1 − x] : cropped[c, y, x]
///
/// ```swift
/// var rng = SplitMix64(seed: 7)
/// let plan = Augmentation.cifarTraining.plan(using: &rng)          // e.g. dy 2, dx 6, flip
/// let out = Augmentation.apply(plan, to: image, channels: 3, height: 32, width: 32, normalization: norm)
/// ```
public struct Augmentation: Equatable, Codable, Sendable {
    /// Zero padding on each side before the random crop; 0 disables cropping.
    public var padding: Int
    /// Whether to mirror left-right with probability 0.5.
    public var horizontalFlip: Bool

    /// An augmentation with the given padding (≥ 0) and flip setting.
    public init(padding: Int, horizontalFlip: Bool) {
        precondition(padding >= 0, "padding must be non-negative")
        self.padding = padding
        self.horizontalFlip = horizontalFlip
    }

    /// No augmentation (evaluation, MNIST).
    public static let none = Augmentation(padding: 0, horizontalFlip: false)
    /// CIFAR training: 4-pixel zero padding, random 32×32 crop, horizontal flip with p = 0.5.
    public static let cifarTraining = Augmentation(padding: 4, horizontalFlip: true)

    /// Whether this augmentation changes anything.
    public var isIdentity: Bool { padding == 0 && !horizontalFlip }

    /// Draws one sample's crop offsets (uniform in 0...2·padding each) and flip (p = 0.5), in that order.
    public func plan(using rng: inout SplitMix64) -> AugmentationPlan {
        let offsetY = padding > 0 ? rng.nextInt(below: 2 * padding + 1) : 0
        let offsetX = padding > 0 ? rng.nextInt(below: 2 * padding + 1) : 0
        let flip = horizontalFlip ? rng.nextUniform() < 0.5 : false
        return AugmentationPlan(offsetY: offsetY, offsetX: offsetX, padding: padding, flip: flip)
    }

    /// Applies `plan` to one [channels, height, width] byte image and normalises it (slow path for tests and
    /// tools; the loader calls the same kernel on raw buffers).
    public static func apply(_ plan: AugmentationPlan, to image: [UInt8], channels: Int, height: Int, width: Int,
                             normalization: Normalization) -> [Float] {
        precondition(image.count == channels * height * width && normalization.channels == channels)
        let table = normalization.lookupTable()
        var output = [Float](repeating: 0, count: image.count)
        image.withUnsafeBufferPointer { source in
            table.withUnsafeBufferPointer { lookup in
                output.withUnsafeMutableBufferPointer { target in
                    render(source: source.baseAddress!, channels: channels, height: height, width: width,
                           plan: plan, table: lookup.baseAddress!, into: target.baseAddress!)
                }
            }
        }
        return output
    }

    // Legend: C channels, H height, W width, P padding, (dy, dx) crop offsets in the padded image.
    /// Kernel: source [C, H, W] bytes → output [C, H, W] floats through `table` [C, 256].
    @inline(__always)
    static func render(source: UnsafePointer<UInt8>, channels: Int, height: Int, width: Int,
                       plan: AugmentationPlan, table: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let shiftY = plan.offsetY - plan.padding
        let shiftX = plan.offsetX - plan.padding
        // Output columns whose source column lies inside the image; the rest are padding.
        let validStart = plan.flip ? max(0, shiftX) : max(0, -shiftX)
        let validEnd = plan.flip ? min(width, width + shiftX) : min(width, width - shiftX)
        for channel in 0..<channels {
            let lookup = table + channel * 256
            let padValue = lookup[0]
            for y in 0..<height {
                let row = output + (channel * height + y) * width            // [W]
                let sourceY = y + shiftY
                guard sourceY >= 0 && sourceY < height && validStart < validEnd else {
                    row.update(repeating: padValue, count: width)
                    continue
                }
                let sourceRow = source + (channel * height + sourceY) * width  // [W]
                for x in 0..<validStart { row[x] = padValue }
                if plan.flip {
                    let mirror = width - 1 + shiftX
                    for x in validStart..<validEnd { row[x] = lookup[Int(sourceRow[mirror - x])] }
                } else {
                    for x in validStart..<validEnd { row[x] = lookup[Int(sourceRow[x + shiftX])] }
                }
                for x in validEnd..<width { row[x] = padValue }
            }
        }
    }
}

/// One sample's augmentation decision: crop offsets into the padded image and whether to mirror.
///
/// `offsetY == offsetX == padding` with `flip == false` is the identity.
public struct AugmentationPlan: Equatable, Sendable {
    /// Top row of the crop in the padded image, 0...2·padding.
    public let offsetY: Int
    /// Left column of the crop in the padded image, 0...2·padding.
    public let offsetX: Int
    /// Padding the offsets refer to.
    public let padding: Int
    /// Mirror left-right after cropping.
    public let flip: Bool

    /// A plan; offsets must lie in 0...2·padding.
    public init(offsetY: Int, offsetX: Int, padding: Int, flip: Bool) {
        precondition((0...2 * padding).contains(offsetY) && (0...2 * padding).contains(offsetX), "crop offset outside the padded image")
        self.offsetY = offsetY
        self.offsetX = offsetX
        self.padding = padding
        self.flip = flip
    }

    /// The plan that leaves an image unchanged.
    public static let identity = AugmentationPlan(offsetY: 0, offsetX: 0, padding: 0, flip: false)
}
