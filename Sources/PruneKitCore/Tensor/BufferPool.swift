import Foundation

/// Recycles large float buffers (activations, gradients, scratch) by exact size, outside malloc's heap.
///
/// A training step allocates and frees the same multiset of large buffers every iteration. Through glibc they
/// fragmented the heap once work ran on two threads: small objects freed by a worker thread sit in that thread's
/// tcache, pinning holes between large free chunks, and the heap grew from 476 to 940 MB for ResNet-20 (1 thread:
/// stable; GLIBC_TUNABLES=glibc.malloc.tcache_count=0: 345 MB). Buffers of at least `threshold` bytes now come
/// from anonymous mmap and return here when freed; a request takes a pooled buffer of the same size if there is
/// one. Memory stays bounded by the program's own peak: before mapping fresh memory that would push pooled +
/// live bytes above the largest live total seen so far plus a slack (25% of it, at least `minimumSlack`), least
/// recently pooled buffers are unmapped. Reused buffers are already faulted in, so steady-state steps take no
/// page faults.
///
/// **When memory runs out.** Two paths share the pool. `allocate(floats:)` traps, like Swift's own allocations:
/// ops call it in hot loops where a throw would thread through every kernel, and their sizes follow from a model
/// already bounded by `ModelLimits`. `allocateIfPossible(floats:)` returns nil instead (also when the byte count
/// overflows `Int`), and `Tensor(allocating:)` turns that into `PruneKitError.allocationFailed` naming the
/// tensor, the bytes and errno's text. Every size an input file chooses takes the throwing path: the tensors
/// `SafeTensors` decodes and every parameter and buffer `Model(spec:seed:)` builds, after the spec was checked
/// against `ModelLimits` and (for checkpoints) against the file's tensors. So a hostile file gets an error,
/// never this pool's trap.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    /// Smaller buffers go through malloc.
    static let threshold = 128 * 1024
    /// Bytes the pool may hold beyond the live peak even when 25% of that peak is less (256 MiB by default:
    /// VGG-16 inference re-folds and re-packs 120 MB of weights per step).
    let minimumSlack: Int

    init(minimumSlack: Int = 256 << 20) { self.minimumSlack = minimumSlack }

    private let lock = NSLock()
    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    /// Pooled buffers, least recently returned first, for eviction.
    private var order: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    private var pooledBytes = 0, liveBytes = 0, peakLiveBytes = 0

    /// A page-aligned buffer of `bytes` (>= `threshold`), reused when one of that size is pooled; traps when
    /// the kernel refuses the mapping (see `takeIfPossible(bytes:)` for the throwing paths).
    func take(bytes: Int) -> UnsafeMutableRawPointer {
        guard let pointer = takeIfPossible(bytes: bytes) else {
            fatalError("BufferPool: mmap of \(bytes) bytes failed (\(String(cString: strerror(errno))))")
        }
        return pointer
    }

    /// `take(bytes:)`, or nil (with `errno` set and the accounting undone) when mmap fails.
    func takeIfPossible(bytes: Int) -> UnsafeMutableRawPointer? {
        lock.lock()
        let previousPeak = peakLiveBytes
        liveBytes += bytes
        peakLiveBytes = max(peakLiveBytes, liveBytes)
        if var list = free[bytes], let pointer = list.popLast() {
            free[bytes] = list.isEmpty ? nil : list
            pooledBytes -= bytes
            if let index = order.lastIndex(where: { $0.pointer == pointer }) { order.remove(at: index) }
            lock.unlock()
            return pointer
        }
        var evicted: [(UnsafeMutableRawPointer, Int)] = []
        // Slack over the live peak: sizes needed at different moments of a step then all stay pooled (with
        // no slack, buffers evicted early in a step were mapped and faulted again later: 11K faults per ResNet-20
        // step; with 25%, none, and peak RSS 275 MB). At least `minimumSlack`: inference holds few buffers at
        // once but cycles through more distinct sizes than 25% of that small peak, and evicting the least
        // recently pooled then evicted exactly the buffer the next layer asked for (LeNet-5: 2.5 mmap/munmap
        // pairs and 1,200 page faults per step, ~15% of its time).
        while pooledBytes > 0, pooledBytes + liveBytes > peakLiveBytes + max(peakLiveBytes / 4, minimumSlack) {
            let (pointer, size) = order.removeFirst()
            free[size]!.removeAll { $0 == pointer }
            if free[size]!.isEmpty { free[size] = nil }
            pooledBytes -= size
            evicted.append((pointer, size))
        }
        lock.unlock()
        for (pointer, size) in evicted { munmap(pointer, size) }
        guard let pointer = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              pointer != MAP_FAILED else {
            let reason = errno
            lock.lock()
            // The failed request must not raise the peak: the slack (and so the pool) would grow with it.
            liveBytes -= bytes
            peakLiveBytes = max(previousPeak, liveBytes)
            lock.unlock()
            errno = reason
            return nil
        }
        return pointer
    }

    /// Returns a buffer obtained from `take(bytes:)`.
    func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        lock.lock()
        liveBytes -= bytes
        free[bytes, default: []].append(pointer)
        order.append((pointer, bytes))
        pooledBytes += bytes
        lock.unlock()
    }

    /// `count` floats, 64-byte aligned: pooled when large, else from malloc. Free with `deallocate(_:count:)`.
    /// Traps when memory is exhausted, as Swift's own allocations do: op outputs and gradients take this path,
    /// and their sizes follow from a model whose size was bounded when it was built (`ModelLimits`).
    static func allocate(floats count: Int) -> UnsafeMutablePointer<Float> {
        guard let pointer = allocateIfPossible(floats: count) else {
            fatalError("BufferPool: allocation of \(count) floats failed (\(String(cString: strerror(errno))))")
        }
        return pointer
    }

    /// `allocate(floats:)`, or nil when `count` * 4 overflows `Int` or the memory cannot be had (`errno` then
    /// says why). The throwing path (`Tensor(allocating:)`) for sizes an input file chooses.
    static func allocateIfPossible(floats count: Int) -> UnsafeMutablePointer<Float>? {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        guard !overflow else { errno = ENOMEM; return nil }
        let raw: UnsafeMutableRawPointer?
        if bytes >= threshold {
            raw = shared.takeIfPossible(bytes: bytes)
        } else {
            // posix_memalign rather than UnsafeMutableRawPointer.allocate, which traps; freed with free().
            var pointer: UnsafeMutableRawPointer?
            let status = posix_memalign(&pointer, 64, bytes)
            if status != 0 { errno = status }
            raw = status == 0 ? pointer : nil
        }
        return raw?.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Frees a buffer from `allocate(floats:)` with the same count.
    static func deallocate(_ pointer: UnsafeMutablePointer<Float>, floats count: Int) {
        let bytes = max(count, 1) * 4
        if bytes >= threshold { shared.give(UnsafeMutableRawPointer(pointer), bytes: bytes) } else { Foundation.free(pointer) }
    }

    /// Bytes currently pooled (not handed out), for tests.
    var pooled: Int { lock.lock(); defer { lock.unlock() }; return pooledBytes }
}
