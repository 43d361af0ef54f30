// CPU detection, lane masks and weight packing shared by the same-geometry convolution kernels.
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

size_t pk_same_mask_count(int H, int W, int KH, int KW) {
    return (size_t)((H * W + 15) / 16) * (size_t)(KH * KW);
}

void pk_same_masks(int H, int W, int KH, int KW, uint16_t *masks) {
    int HW = H * W, KK = KH * KW, V = (HW + 15) / 16, PH = (KH - 1) / 2, PW = (KW - 1) / 2;
    for (int v = 0; v < V; v++) {
        for (int kk = 0; kk < KK; kk++) {
            int kh = kk / KW, kw = kk % KW;
            unsigned mask = 0;
            for (int lane = 0; lane < 16; lane++) {
                int p = 16 * v + lane;
                if (p >= HW) break;
                int ih = p / W + kh - PH, iw = p % W + kw - PW;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W) mask |= 1u << lane;
            }
            masks[v * KK + kk] = (uint16_t)mask;
        }
    }
}

size_t pk_packed_weight_count(int OC, int C, int KK) {
    return (size_t)((OC + 7) / 8 * 8) * (size_t)C * (size_t)KK;
}

void pk_pack_weights(const float *w, int OC, int C, int KH, int KW, int transposeFlip, float *packed) {
    int KK = KH * KW, blocks = (OC + 7) / 8;
    for (int b = 0; b < blocks; b++) {
        float *block = packed + (size_t)b * KK * C * 8;
        for (int kk = 0; kk < KK; kk++) {
            for (int c = 0; c < C; c++) {
                for (int j = 0; j < 8; j++) {
                    int o = b * 8 + j;
                    float value = 0;
                    if (o < OC) {
                        value = transposeFlip ? w[((size_t)c * OC + o) * KK + (KK - 1 - kk)]
                                              : w[((size_t)o * C + c) * KK + kk];
                    }
                    block[((size_t)kk * C + c) * 8 + j] = value;
                }
            }
        }
    }
}
