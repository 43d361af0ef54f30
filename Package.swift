// swift-tools-version:5.9
import PackageDescription

// The numeric target is compiled with -O even in debug builds: unoptimised Swift runs the
// kernels 50-230x slower (../shared/SWIFT-BLAS.md §6), which would make `swift test` crawl.
let numericFlags: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "PruneKit",
    products: [
        .library(name: "PruneKit", targets: ["PruneKit"]),
        .executable(name: "prune-cli", targets: ["prune-cli"]),
    ],
    targets: [
        // MARK: - C boundaries (module maps over Debian's libopenblas-dev and zlib1g-dev)
        .systemLibrary(name: "PruneKitBLAS", path: "Sources/PruneKitBLAS"),
        .systemLibrary(name: "PruneKitZlib", path: "Sources/PruneKitZlib"),
        // MARK: - Kernels in C (AVX-512 intrinsics behind runtime detection), at SwiftPM's own flags: the sources do
        // themselves what -O3 did for them (loop-invariant tests hoisted, epilogues unrolled), so release (-O2) runs
        // them as fast without an unsafe flag. Debug compiles them at -O0: `swift test` 250 s, against 27 s with -O3.
        .target(name: "PruneKitKernels"),
        // MARK: - Public API
        .target(name: "PruneKit", dependencies: ["PruneKitBLAS", "PruneKitZlib", "PruneKitKernels"],
                swiftSettings: numericFlags),
        .executableTarget(name: "prune-cli", dependencies: ["PruneKit"], swiftSettings: numericFlags),
        // MARK: - Tests
        .testTarget(name: "PruneKitTests", dependencies: ["PruneKit"], swiftSettings: numericFlags),
    ]
)
