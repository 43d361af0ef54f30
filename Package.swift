// swift-tools-version:5.9
import PackageDescription

// Modules along the layers, each depending only on those below it (the compiler rejects an upward reach):
//
//   PruneKitKernels  PruneKitBLAS         C: AVX-512 kernels; module map over OpenBLAS/LAPACK
//          \            /
//          PruneKitCore                    tensors, autodiff, differentiable primitives
//          /          \
//   PruneKitNetworks   PruneKitData        layers, zoo, safetensors | readers, loader, fetcher (+ PruneKitZlib)
//          \          /
//         PruneKitTraining                 optimizers, schedules, trainer, checkpoints, benchmarks
//                |
//         PruneKitPruning  ---  PruneKitPlot   graph, importance, surgery, targets, pruners, methods, reports |
//                |                             SVG line charts (Foundation only)
//                |
//         PruneKitExperiments              plans, cells, resumable runner, shards, reports and plots
//                |
//            PruneKit                      umbrella: re-exports all of the above
//
// No unsafe flags: another package can depend on PruneKit by version. Debug builds of the numeric code are
// 50-230x slower (../shared/SWIFT-BLAS.md §6), so the tests run in release (`swift test -c release`, which
// keeps @testable imports working).
let package = Package(
    name: "PruneKit",
    products: [
        // The umbrella, and each layer alone for programs that need less (`import PruneKitPruning`).
        .library(name: "PruneKit", targets: ["PruneKit"]),
        .library(name: "PruneKitCore", targets: ["PruneKitCore"]),
        .library(name: "PruneKitNetworks", targets: ["PruneKitNetworks"]),
        .library(name: "PruneKitData", targets: ["PruneKitData"]),
        .library(name: "PruneKitTraining", targets: ["PruneKitTraining"]),
        .library(name: "PruneKitPlot", targets: ["PruneKitPlot"]),
        .library(name: "PruneKitPruning", targets: ["PruneKitPruning"]),
        .library(name: "PruneKitExperiments", targets: ["PruneKitExperiments"]),
        .executable(name: "prune-cli", targets: ["prune-cli"]),
    ],
    targets: [
        // MARK: - C boundaries (module maps over Debian's libopenblas-dev and zlib1g-dev)
        .systemLibrary(name: "PruneKitBLAS", path: "Sources/PruneKitBLAS"),
        .systemLibrary(name: "PruneKitZlib", path: "Sources/PruneKitZlib"),
        // MARK: - Kernels in C (AVX-512 intrinsics behind runtime detection), at SwiftPM's own flags: the sources do
        // themselves what -O3 did for them (loop-invariant tests hoisted, epilogues unrolled), so release (-O2) runs
        // them as fast without an unsafe flag. Debug compiles them at -O0, one more reason the tests run in release.
        .target(name: "PruneKitKernels"),
        // MARK: - Library modules, lowest first
        .target(name: "PruneKitCore", dependencies: ["PruneKitBLAS", "PruneKitKernels"]),
        .target(name: "PruneKitNetworks", dependencies: ["PruneKitCore"]),
        .target(name: "PruneKitData", dependencies: ["PruneKitCore", "PruneKitZlib"]),
        .target(name: "PruneKitTraining", dependencies: ["PruneKitCore", "PruneKitNetworks", "PruneKitData"]),
        .target(name: "PruneKitPlot"),
        .target(name: "PruneKitPruning", dependencies: ["PruneKitCore", "PruneKitNetworks", "PruneKitData", "PruneKitTraining", "PruneKitPlot"]),
        .target(name: "PruneKitExperiments", dependencies: ["PruneKitCore", "PruneKitNetworks", "PruneKitData", "PruneKitTraining",
                                                            "PruneKitPlot", "PruneKitPruning"]),
        .target(name: "PruneKit", dependencies: ["PruneKitCore", "PruneKitNetworks", "PruneKitData", "PruneKitTraining", "PruneKitPlot",
                                                 "PruneKitPruning", "PruneKitExperiments"]),
        // MARK: - Tools
        .executableTarget(name: "prune-cli", dependencies: ["PruneKit"]),
        // What a SwiftPM user writes (depends on the umbrella product only); Scripts/check-consumer-package.sh
        // builds the same file in a separate package that depends on PruneKit by version.
        .executableTarget(name: "LibraryExample", dependencies: ["PruneKit"], path: "Examples/LibraryExample"),
        // MARK: - Tests
        .target(name: "PruneKitTestSupport", dependencies: ["PruneKitCore", "PruneKitNetworks"], path: "Tests/PruneKitTestSupport"),
        .testTarget(name: "PruneKitCoreTests", dependencies: ["PruneKitCore", "PruneKitTestSupport"]),
        .testTarget(name: "PruneKitNetworksTests", dependencies: ["PruneKitNetworks", "PruneKitTestSupport"]),
        .testTarget(name: "PruneKitDataTests", dependencies: ["PruneKitData", "PruneKitTestSupport"]),
        .testTarget(name: "PruneKitTrainingTests", dependencies: ["PruneKitTraining", "PruneKitTestSupport"]),
        .testTarget(name: "PruneKitPlotTests", dependencies: ["PruneKitPlot", "PruneKitCore", "PruneKitTestSupport"]),
        .testTarget(name: "PruneKitPruningTests", dependencies: ["PruneKitPruning", "PruneKitTestSupport"]),
        // The end-to-end tests run the built prune-cli too (kill -9 and resume need a separate process).
        .testTarget(name: "PruneKitExperimentsTests", dependencies: ["PruneKitExperiments", "PruneKitTestSupport", "prune-cli"]),
        // Runs the built prune-cli: depends on it so that `swift test` builds it first.
        .testTarget(name: "PruneKitCLITests", dependencies: ["PruneKit", "PruneKitTestSupport", "prune-cli"]),
    ]
)
