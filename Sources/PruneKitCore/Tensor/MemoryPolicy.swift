#if os(Linux)
/// glibc's `int mallopt(int param, int value)` (malloc.h is not part of the Glibc module map).
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let mallocTrimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
private let mallocMmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
#endif

/// Keeps freed activation and gradient buffers in the process instead of returning them to the kernel.
///
/// A training step allocates the same large buffers (MBs each) every iteration. With glibc's defaults,
/// blocks above the mmap threshold are unmapped on free and every reuse pays fresh page faults and kernel
/// zeroing (../shared/SWIFT-BLAS.md §6: 29 ms instead of 1.2 ms for a 40 MB output; ../shared/perf:
/// "glibc malloc returning and re-faulting large buffers"). Raising the mmap and trim thresholds makes
/// large blocks come from the heap and stay mapped, so the next step reuses warm pages. Peak RSS is
/// unchanged (it is set by the largest step); the memory is simply not handed back between steps.
public enum MemoryPolicy {
    nonisolated(unsafe) private static var applied = false

    /// Applies the policy once per process (idempotent).
    public static func keepFreedMemoryMapped() {
        guard !applied else { return }
        applied = true
        #if os(Linux)
        _ = glibcMallopt(mallocMmapThreshold, 1 << 30)
        _ = glibcMallopt(mallocTrimThreshold, Int32.max)
        #endif
    }
}
