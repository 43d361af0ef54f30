// A fork-join pool whose workers spin briefly between jobs (Parallel.forEachChunk's engine).
//
// Why not Dispatch: concurrentPerform wakes a parked worker through a futex on every call. A small model runs
// 20+ fork-joins per training step of well under a millisecond, and the wake-up (10-30 us each, measured as
// finish_task_switch / try_to_wake_up in the profile) ate the second core: the MLP trained as fast on one
// thread as on two. Here a worker that finished a job keeps polling for the next one for up to
// PRUNEKIT_SPIN_MICROSECONDS (default 2000) before it sleeps on a condition variable, like an OpenMP team.
//
// Protocol. One 64-bit word `claim` holds (generation << 32 | next chunk). The caller publishes job
// g + 1 by writing the job fields and then storing claim = (g + 1) << 32 with release order. Every thread,
// the caller included, takes chunk i by a compare-and-swap from (g, i) to (g, i + 1); a CAS only succeeds while
// job g is current, so a worker that wakes late can never run a chunk of a job it did not read. The caller
// returns once `done` reaches the chunk count, so job g + 1 is only published after every chunk of g finished.
// One caller at a time: pk_pool_run returns 0 without running anything when the pool is busy (another thread
// is inside it), and the Swift side then uses Dispatch.
#include "PruneKitKernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define PK_PAUSE() _mm_pause()
#else
#define PK_PAUSE() ((void)0)
#endif

#define PK_MAX_WORKERS 255

static pthread_mutex_t caller_lock = PTHREAD_MUTEX_INITIALIZER;  // one job at a time
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_signal = PTHREAD_COND_INITIALIZER;

static _Atomic uint64_t claim;                 // generation << 32 | next chunk index
static _Atomic long done;                      // chunks of the current job that have finished
static _Atomic int sleepers;                   // workers blocked (or about to block) on sleep_signal
static _Atomic(pk_chunk_function) job_function;
static _Atomic(void *) job_context;
static _Atomic long job_chunks;
static int worker_count;                       // guarded by caller_lock
static long spin_nanoseconds = -1;             // guarded by caller_lock (set before the first worker starts)

static uint64_t now_nanoseconds(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (uint64_t)time.tv_sec * 1000000000u + (uint64_t)time.tv_nsec;
}

/// Runs chunks of the job of generation `generation` until none is left or a newer job replaced it.
static void run_chunks(uint32_t generation) {
    pk_chunk_function function = atomic_load_explicit(&job_function, memory_order_relaxed);
    void *context = atomic_load_explicit(&job_context, memory_order_relaxed);
    long chunks = atomic_load_explicit(&job_chunks, memory_order_relaxed);
    uint64_t value = atomic_load_explicit(&claim, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(value >> 32) != generation || (long)(uint32_t)value >= chunks) return;
        if (atomic_compare_exchange_weak_explicit(&claim, &value, value + 1, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            pk_parallel_enter();
            function(context, (long)(uint32_t)value);
            pk_parallel_exit();
            atomic_fetch_add_explicit(&done, 1, memory_order_release);
            value = atomic_load_explicit(&claim, memory_order_acquire);
        }
    }
}

static void *worker_main(void *unused) {
    (void)unused;
    uint32_t seen = (uint32_t)(atomic_load_explicit(&claim, memory_order_acquire) >> 32);
    for (;;) {
        uint64_t start = now_nanoseconds();
        uint32_t generation = seen;
        for (unsigned spins = 1;; spins++) {
            generation = (uint32_t)(atomic_load_explicit(&claim, memory_order_acquire) >> 32);
            if (generation != seen) break;
            PK_PAUSE();
            if ((spins & 255) == 0 && (long)(now_nanoseconds() - start) > spin_nanoseconds) {
                pthread_mutex_lock(&sleep_lock);
                atomic_fetch_add(&sleepers, 1);  // seq_cst: pairs with the caller's store-then-check
                while ((generation = (uint32_t)(atomic_load(&claim) >> 32)) == seen)
                    pthread_cond_wait(&sleep_signal, &sleep_lock);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&sleep_lock);
                break;
            }
        }
        run_chunks(generation);
        seen = generation;
    }
    return NULL;
}

static void start_workers(int wanted) {
    if (spin_nanoseconds < 0) {
        const char *text = getenv("PRUNEKIT_SPIN_MICROSECONDS");
        long microseconds = text ? atol(text) : 2000;
        spin_nanoseconds = (microseconds < 0 ? 0 : microseconds) * 1000;
    }
    if (wanted > PK_MAX_WORKERS) wanted = PK_MAX_WORKERS;
    while (worker_count < wanted) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setstacksize(&attributes, 8u << 20);
        int failed = pthread_create(&thread, &attributes, worker_main, NULL);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        pthread_detach(thread);
        worker_count++;
    }
}

int pk_pool_run(long chunks, int threads, pk_chunk_function function, void *context) {
    if (chunks <= 0 || chunks > 0x7fffffffL) return 0;
    if (pthread_mutex_trylock(&caller_lock) != 0) return 0;
    start_workers(threads - 1);
    if (worker_count == 0) { pthread_mutex_unlock(&caller_lock); return 0; }
    atomic_store_explicit(&job_function, function, memory_order_relaxed);
    atomic_store_explicit(&job_context, context, memory_order_relaxed);
    atomic_store_explicit(&job_chunks, chunks, memory_order_relaxed);
    atomic_store_explicit(&done, 0, memory_order_relaxed);
    uint32_t generation = (uint32_t)(atomic_load_explicit(&claim, memory_order_relaxed) >> 32) + 1;
    atomic_store(&claim, (uint64_t)generation << 32);  // seq_cst: publish, then look for sleepers
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&sleep_signal);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_chunks(generation);
    while (atomic_load_explicit(&done, memory_order_acquire) < chunks) PK_PAUSE();
    pthread_mutex_unlock(&caller_lock);
    return 1;
}
