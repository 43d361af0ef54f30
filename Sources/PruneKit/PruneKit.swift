/// PruneKit: trains convolutional networks and prunes them with the major structured-pruning methods.
///
/// This umbrella module re-exports the layers, so `import PruneKit` gives the whole toolkit:
/// `PruneKitCore` (tensors, autodiff, differentiable primitives), `PruneKitNetworks` (layers, the model
/// zoo, safetensors), `PruneKitData` (dataset readers, loaders, fetcher), `PruneKitTraining` (optimizers,
/// schedules, trainer, checkpoints), `PruneKitPlot` (SVG charts) `PruneKitPruning` (dependency graph, importance, surgery, methods)
/// and `PruneKitExperiments` (batch experiment plans, resumable grid runs, result tables and plots).
/// A program that needs one layer alone imports that module instead.
@_exported import PruneKitCore
@_exported import PruneKitNetworks
@_exported import PruneKitData
@_exported import PruneKitTraining
@_exported import PruneKitPlot
@_exported import PruneKitPruning
@_exported import PruneKitExperiments
