import PruneKitCore

/// Upper bounds on what a `ModelSpec` may ask for, checked by `validate()` before anything is allocated.
///
/// A spec is often untrusted input (checkpoint metadata, a JSON file), and every field multiplies into an
/// allocation: LeNet-5 with `classCount` 10^8 asks for a 500 x 10^8 weight (200 GB). Each bound is far
/// above every model PruneKit targets (the largest zoo entry, WRN-28-10, has 36.5 M parameters, 640
/// channels and 10.5 GFLOPs per image) and far below what overflows `Int` or exhausts a workstation, so
/// an absurd field gets an error naming it instead of an allocation failure or an arithmetic trap.
///
/// Order of the checks, which is what makes the arithmetic safe: the fields first (`depth`,
/// `widthFactor`, `inputShape`, `classCount`, every width), so that no shape product can overflow; then
/// each layer's activation size; then the totals (parameters, bytes, FLOPs) with overflow-checked sums.
///
/// ```swift
/// var spec = ModelSpec.leNet5()
/// spec.classCount = 100_000_000
/// try spec.validate()   // throws: classCount 100000000 exceeds the limit of 65536
/// ```
public enum ModelLimits {
    /// Most channels or features of one layer (and of the input): 2^16. WRN-28-10 stops at 640, VGG at 512.
    public static let maximumWidth = 1 << 16
    /// Most classes: 2^16 (ImageNet-21k has 21,841).
    public static let maximumClassCount = 1 << 16
    /// Largest input height or width: 2^14 pixels (CIFAR 32, MNIST 28, ImageNet crops 224).
    public static let maximumInputExtent = 1 << 14
    /// Largest `depth`: 10,000 (He et al. trained a 1202-layer CIFAR ResNet). It bounds the width table,
    /// whose length grows with depth, before the table is even listed.
    public static let maximumDepth = 10_000
    /// Largest WRN widening factor k: the widest group then has 64k = `maximumWidth` channels.
    public static let maximumWidthFactor = maximumWidth / 64
    /// Most elements of one layer's input or output for one image: 2^28 (1 GiB of Float32), so that a
    /// forward pass on a single image stays within a workstation's memory.
    public static let maximumActivationCount = 1 << 28
    /// Most parameter scalars: 2^30 (4 GiB of Float32, 29 times WRN-28-10), counted with BatchNorm's
    /// running statistics. Building a model allocates these bytes; training doubles or triples them.
    public static let maximumParameterCount = 1 << 30
    /// Most forward FLOPs per image: 10^13, about a thousand times WRN-28-10.
    public static let maximumFlops = 10_000_000_000_000
    /// Most nodes of a `NetworkGraph`: 100,000 (ResNet-1202 has about 3,000).
    public static let maximumNodeCount = 100_000
}
