// CPU detection, padded strides, lane masks and weight packing for the tap-list convolution kernels.
#include "PruneKitKernels.h"
#include <cpuid.h>

int pk_cpu_has_avx512(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;  // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6) != 0xe6) return 0;  // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM state enabled by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 16) & 1;  // AVX512F
}

long pk_padded_stride(long count) {
    long stride = (count + 15) / 16 * 16;
    return stride % 256 == 0 ? stride + 16 : stride;
}

size_t pk_tap_mask_count(long pixels, int taps) {
    return (size_t)((pixels + 15) / 16) * (size_t)taps;
}

void pk_tap_masks(int G, int R, int Q, int validColumns, int sourceRows, int sourceColumns, int taps, const int *dh,
                  const int *dw, uint16_t *masks) {
    long pixels = (long)G * R * Q, V = (pixels + 15) / 16;
    for (long v = 0; v < V; v++) {
        for (int t = 0; t < taps; t++) {
            unsigned mask = 0;
            for (int lane = 0; lane < 16; lane++) {
                long p = 16 * v + lane;
                if (p >= pixels) break;
                int column = (int)(p % Q), r = (int)((p / Q) % R) + dh[t], q = column + dw[t];
                if (column < validColumns && r >= 0 && r < sourceRows && q >= 0 && q < sourceColumns) mask |= 1u << lane;
            }
            masks[v * taps + t] = (uint16_t)mask;
        }
    }
}

int pk_output_blocks(int OC) { return (OC + 7) / 8; }

void pk_output_block(int OC, int b, int *first, int *count) {
    int blocks = pk_output_blocks(OC), base = OC / blocks, extra = OC % blocks;
    *count = base + (b < extra ? 1 : 0);
    *first = b * base + (b < extra ? b : extra);
}

size_t pk_packed_weight_count(int OC, int C, int taps) {
    return (size_t)((OC + 7) / 8 * 8) * (size_t)C * (size_t)taps;
}

void pk_pack_weights(const float *w, int A, int B, int KK, int transpose, int taps, const int *weightTaps, float *packed) {
    int OC = transpose ? B : A, C = transpose ? A : B, blocks = pk_output_blocks(OC);
    // w[o, c, k] at o * oStride + c * cStride + k: the transpose test once here, not per weight (-O3 unswitched
    // it out of the loops; tested per weight at -O2, packing ran 10% slower than at -O3, and now runs 20% faster).
    const size_t oStride = transpose ? (size_t)KK : (size_t)B * KK, cStride = transpose ? (size_t)B * KK : (size_t)KK;
    for (int b = 0; b < blocks; b++) {
        float *block = packed + (size_t)b * taps * C * 8;
        int first, count;
        pk_output_block(OC, b, &first, &count);
        for (int t = 0; t < taps; t++) {
            for (int c = 0; c < C; c++) {
                for (int j = 0; j < 8; j++) {
                    int o = first + j;
                    float value = 0;
                    if (j < count) value = w[(size_t)o * oStride + (size_t)c * cStride + weightTaps[t]];
                    block[((size_t)t * C + c) * 8 + j] = value;
                }
            }
        }
    }
}

void pk_pack_weights_columns(const float *w, int OC, int C, int KK, int taps, const int *weightTaps, const int *starts,
                             const int *channels, float *packed) {
    int blocks = pk_output_blocks(OC), columns = taps > 0 ? starts[taps] : 0;
    for (int b = 0; b < blocks; b++) {
        float *block = packed + (size_t)b * columns * 8;
        int first, count;
        pk_output_block(OC, b, &first, &count);
        for (int t = 0; t < taps; t++)
            for (int k = starts[t]; k < starts[t + 1]; k++)
                for (int j = 0; j < 8; j++)
                    block[(size_t)k * 8 + j] =
                        j < count ? w[((size_t)(first + j) * C + channels[k]) * KK + weightTaps[t]] : 0;
    }
}

void pk_pack_weights_adjoint_rows(const float *w, int OC, int C, int KK, int tap, int count, const int *rows, float *packed) {
    int blocks = pk_output_blocks(count);
    for (int b = 0; b < blocks; b++) {
        float *block = packed + (size_t)b * OC * 8;
        int first, size;
        pk_output_block(count, b, &first, &size);
        for (int o = 0; o < OC; o++)
            for (int j = 0; j < 8; j++)
                block[(size_t)o * 8 + j] = j < size ? w[((size_t)o * C + rows[first + j]) * KK + tap] : 0;
    }
}
