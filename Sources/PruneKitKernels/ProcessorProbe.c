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
