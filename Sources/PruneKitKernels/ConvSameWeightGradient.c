// Direct "same" convolution, weight gradient: dw[o, c, kh, kw] += sum_n sum_p dy[n, o, p] * x[n, c, p + off(kh, kw)].
// Register block: NO <= 4 output channels x NC <= 5 input channels at one tap = 20 zmm accumulators of per-lane
// partial sums; per pixel vector NO + NC loads and NO*NC FMAs (4 x 6 would need 34 registers with its loads:
// clang then spills). Channel blocks are balanced (16 channels: 4 + 4 + 4 + 4, not 5 + 5 + 5 + 1). The lanes are summed once per block and image
// group, so images are grouped until a block's rows (NO + NC planes per image) fill about 32 KB of L1.
#include "PruneKitKernels.h"
#include <immintrin.h>

#define PK_TARGET __attribute__((target("avx512f")))
#define PK_INLINE static inline __attribute__((always_inline))

PK_TARGET PK_INLINE void weight_block(const float *x, long xs, const float *dy, long dys, int images, int HW, int KK,
                                      int kk, int offset, const uint16_t *masks, int o0, int c0, int C, float *dw,
                                      const int NO, const int NC) {
    __m512 acc[4][5];
    for (int o = 0; o < NO; o++)
        for (int c = 0; c < NC; c++) acc[o][c] = _mm512_setzero_ps();
    int V = (HW + 15) / 16;
    for (int n = 0; n < images; n++) {
        const float *xn = x + n * xs + (size_t)c0 * HW + offset, *dyn = dy + n * dys + (size_t)o0 * HW;
        for (int v = 0; v < V; v++) {
            int p = 16 * v, left = HW - p;
            __mmask16 tail = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
            __mmask16 m = masks[v * KK + kk];
            __m512 d[4];
            for (int o = 0; o < NO; o++) d[o] = _mm512_maskz_loadu_ps(tail, dyn + (size_t)o * HW + p);
            for (int c = 0; c < NC; c++) {
                __m512 xv = _mm512_maskz_loadu_ps(m, xn + (size_t)c * HW + p);
                for (int o = 0; o < NO; o++) acc[o][c] = _mm512_fmadd_ps(d[o], xv, acc[o][c]);
            }
        }
    }
    for (int o = 0; o < NO; o++)
        for (int c = 0; c < NC; c++) dw[((size_t)(o0 + o) * C + c0 + c) * KK + kk] += _mm512_reduce_add_ps(acc[o][c]);
}

// One out-of-line function per block shape, so that each loop nest gets its own register allocation.
#define PK_WEIGHT_INSTANCE(no, nc) \
    PK_TARGET __attribute__((noinline)) static void weight_##no##_##nc( \
        const float *x, long xs, const float *dy, long dys, int images, int HW, int KK, int kk, int offset, \
        const uint16_t *masks, int o0, int c0, int C, float *dw) { \
        weight_block(x, xs, dy, dys, images, HW, KK, kk, offset, masks, o0, c0, C, dw, no, nc); \
    }
#define PK_WEIGHT_INSTANCES(no) \
    PK_WEIGHT_INSTANCE(no, 1) PK_WEIGHT_INSTANCE(no, 2) PK_WEIGHT_INSTANCE(no, 3) PK_WEIGHT_INSTANCE(no, 4) \
    PK_WEIGHT_INSTANCE(no, 5)
PK_WEIGHT_INSTANCES(1) PK_WEIGHT_INSTANCES(2) PK_WEIGHT_INSTANCES(3) PK_WEIGHT_INSTANCES(4)

typedef void (*weight_function)(const float *, long, const float *, long, int, int, int, int, int, const uint16_t *,
                                int, int, int, float *);
#define PK_WEIGHT_ROW(no) {weight_##no##_1, weight_##no##_2, weight_##no##_3, weight_##no##_4, weight_##no##_5}
static const weight_function weight_table[4][5] = {PK_WEIGHT_ROW(1), PK_WEIGHT_ROW(2), PK_WEIGHT_ROW(3), PK_WEIGHT_ROW(4)};

PK_TARGET void pk_conv_same_weight_gradient(const float *x, long xs, const float *dy, long dys, int images,
                                            int C, int H, int W, int KH, int KW, int OC, const uint16_t *masks,
                                            float *dw) {
    int HW = H * W, KK = KH * KW, PH = (KH - 1) / 2, PW = (KW - 1) / 2;
    int blocks = (C + 4) / 5, group = 32768 / (9 * HW * 4);
    if (group < 1) group = 1;
    for (int n0 = 0; n0 < images; n0 += group) {
        int g = images - n0 < group ? images - n0 : group;
        const float *xg = x + n0 * xs, *dyg = dy + n0 * dys;
        for (int o0 = 0; o0 < OC; o0 += 4) {
            int no = OC - o0 < 4 ? OC - o0 : 4;
            for (int kk = 0; kk < KK; kk++) {
                int offset = (kk / KW - PH) * W + (kk % KW - PW);
                for (int b = 0, c0 = 0; b < blocks; b++) {
                    int nc = C / blocks + (b < C % blocks ? 1 : 0);
                    weight_table[no - 1][nc - 1](xg, xs, dyg, dys, g, HW, KK, kk, offset, masks, o0, c0, C, dw);
                    c0 += nc;
                }
            }
        }
    }
}
