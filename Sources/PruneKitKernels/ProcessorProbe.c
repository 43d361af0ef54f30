// CPUID, XCR0 and the clock probe behind ProcessorPeak (PruneKitCore/Platform): the instructions Swift cannot
// issue itself. The clock probe is ../shared/perf/cpu_probe.c's: a chain of dependent integer adds retires one add
// per cycle on every x86-64 core, so adds per second is the core's effective clock, hypervisor time-slicing included.
#include "PruneKitKernels.h"
#include <pthread.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

int pk_cpuid(unsigned leaf, unsigned subleaf, unsigned registers[4]) {
    registers[0] = registers[1] = registers[2] = registers[3] = 0;
#if defined(__x86_64__) || defined(__i386__)
    if (__get_cpuid_max(leaf & 0x80000000u, 0) < leaf) return 0;
    __cpuid_count(leaf, subleaf, registers[0], registers[1], registers[2], registers[3]);
    return 1;
#else
    (void)leaf; (void)subleaf;
    return 0;
#endif
}

unsigned long long pk_xgetbv0(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;  // no OSXSAVE: XGETBV would fault
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
#else
    return 0;
#endif
}

static double pk_probe_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct { double seconds, gigahertz; } pk_probe_job;

static void *pk_probe_worker(void *argument) {
    pk_probe_job *job = argument;
    long chunks = 0;
    double start = pk_probe_now(), now;
    do {
#if defined(__x86_64__)
        long x = 0, n = 10000;  // 10000 x 100 dependent adds = 1e6 cycles per chunk
        __asm__ volatile("1:\n\t.rept 100\n\tadd $1, %0\n\t.endr\n\tdec %1\n\tjnz 1b\n\t" : "+r"(x), "+r"(n));
#endif
        chunks++;
        now = pk_probe_now();
    } while (now - start < job->seconds);
#if defined(__x86_64__)
    job->gigahertz = chunks * 1e6 / (now - start) / 1e9;
#else
    job->gigahertz = 0;
#endif
    return NULL;
}

int pk_probe_clock(int threads, double seconds, double *gigahertz) {
    if (threads < 1 || threads > 256) return 0;
    pthread_t handles[256];
    pk_probe_job jobs[256];
    int started = 0;
    for (int i = 0; i < threads; i++) {
        jobs[i].seconds = seconds;
        jobs[i].gigahertz = 0;
        if (pthread_create(&handles[i], NULL, pk_probe_worker, &jobs[i]) != 0) break;
        started++;
    }
    for (int i = 0; i < started; i++) pthread_join(handles[i], NULL);
    for (int i = 0; i < started; i++) gigahertz[i] = jobs[i].gigahertz;
    return started;
}

#if defined(__x86_64__)
#include <immintrin.h>

// 12 independent FMA chains: enough to fill two pipes of 4-5 cycle latency (8-10 in flight), so the loop runs at the
// pipes' throughput, not at one chain's latency. `rounds` x 100 x 12 FMAs of `lanes` floats, 2 FLOP each.
#define PK_FMA_CHAINS(type, fma, set1)                                                                       \
    /* distinct starting values: identical chains would be merged into one by the compiler */                \
    type a0 = set1(1.00f), a1 = set1(1.01f), a2 = set1(1.02f), a3 = set1(1.03f), a4 = set1(1.04f),             \
         a5 = set1(1.05f), a6 = set1(1.06f), a7 = set1(1.07f), a8 = set1(1.08f), a9 = set1(1.09f),            \
         a10 = set1(1.10f), a11 = set1(1.11f), m = set1(0.999999f), b = set1(1e-7f);                          \
    for (long r = 0; r < rounds; r++) {                                                                      \
        for (int i = 0; i < 100; i++) {                                                                      \
            a0 = fma(a0, m, b); a1 = fma(a1, m, b); a2 = fma(a2, m, b); a3 = fma(a3, m, b);                   \
            a4 = fma(a4, m, b); a5 = fma(a5, m, b); a6 = fma(a6, m, b); a7 = fma(a7, m, b);                   \
            a8 = fma(a8, m, b); a9 = fma(a9, m, b); a10 = fma(a10, m, b); a11 = fma(a11, m, b);               \
        }                                                                                                    \
    }                                                                                                        \
    type sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                                  \
    float out[sizeof(type) / 4];                                                                             \
    memcpy(out, &sum, sizeof(out));                                                                          \
    return out[0];

#include <string.h>
__attribute__((target("avx512f"))) static float pk_fma_avx512(long rounds) { PK_FMA_CHAINS(__m512, _mm512_fmadd_ps, _mm512_set1_ps) }
__attribute__((target("avx2,fma"))) static float pk_fma_avx2(long rounds) { PK_FMA_CHAINS(__m256, _mm256_fmadd_ps, _mm256_set1_ps) }

typedef struct { double seconds, flopsPerCycle; int lanes; } pk_fma_job;

static void *pk_fma_worker(void *argument) {
    pk_fma_job *job = argument;
    double bestAddRate = 0, bestFmaRate = 0, start = pk_probe_now();
    volatile float sink = 0;
    // Alternate ~0.25 ms of dependent adds (the clock) with ~0.25 ms of FMAs and keep each one's fastest chunk: a chunk
    // the scheduler or hypervisor interrupted only ever reads slower, so the two best rates are the undisturbed ones.
    while (pk_probe_now() - start < job->seconds) {
        double t0 = pk_probe_now();
        long x = 0, n = 10000;
        __asm__ volatile("1:\n\t.rept 100\n\tadd $1, %0\n\t.endr\n\tdec %1\n\tjnz 1b\n\t" : "+r"(x), "+r"(n));
        double t1 = pk_probe_now();
        sink += job->lanes == 16 ? pk_fma_avx512(200) : pk_fma_avx2(200);
        double t2 = pk_probe_now();
        double addRate = 1e6 / (t1 - t0), fmaRate = 200.0 * 100 * 12 * job->lanes * 2 / (t2 - t1);
        if (addRate > bestAddRate) bestAddRate = addRate;
        if (fmaRate > bestFmaRate) bestFmaRate = fmaRate;
    }
    (void)sink;
    job->flopsPerCycle = bestAddRate > 0 ? bestFmaRate / bestAddRate : 0;
    return NULL;
}
#endif

int pk_probe_fma(int threads, double seconds, double *flopsPerCycle) {
#if defined(__x86_64__)
    if (threads < 1 || threads > 256) return 0;
    int lanes = pk_cpu_has_avx512() ? 16 : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 8 : 0;
    if (lanes == 0) return 0;
    pthread_t handles[256];
    pk_fma_job jobs[256];
    int started = 0;
    for (int i = 0; i < threads; i++) {
        jobs[i] = (pk_fma_job){seconds, 0, lanes};
        if (pthread_create(&handles[i], NULL, pk_fma_worker, &jobs[i]) != 0) break;
        started++;
    }
    for (int i = 0; i < started; i++) pthread_join(handles[i], NULL);
    for (int i = 0; i < started; i++) flopsPerCycle[i] = jobs[i].flopsPerCycle;
    return started;
#else
    (void)threads; (void)seconds; (void)flopsPerCycle;
    return 0;
#endif
}
