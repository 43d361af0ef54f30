// Direct "same" convolution, forward (and, with transposed flipped weights, the input gradient).
// Register block: NO <= 8 output channels x NV <= 3 pixel vectors = 24 zmm accumulators. Per tap and input
// channel: NV masked loads of the shifted input row, NO weight broadcasts, NO*NV FMAs (24 FMAs per 11 loads).
// Loop order: output-channel block outside (its packed weights, KK*C*8 floats, stay in L1/L2), pixel blocks
// inside (the image's planes stay in L2).
#include "PruneKitKernels.h"
#include <immintrin.h>

#define PK_TARGET __attribute__((target("avx512f")))
#define PK_INLINE static inline __attribute__((always_inline))

PK_TARGET PK_INLINE void forward_block(const float *x, int C, int HW, int KK, const int *offsets,
                                       const uint16_t *masks, const float *wp, int p0, int o0,
                                       const float *bias, const float *residual, int relu, float *y,
                                       const int NO, const int NV) {
    __m512 acc[8][3];
    for (int o = 0; o < NO; o++)
        for (int v = 0; v < NV; v++) acc[o][v] = _mm512_setzero_ps();
    for (int kk = 0; kk < KK; kk++) {
        __mmask16 m[3];
        for (int v = 0; v < NV; v++) m[v] = masks[v * KK + kk];
        const float *xk = x + p0 + offsets[kk];
        const float *wk = wp + (size_t)kk * C * 8;
        for (int c = 0; c < C; c++) {
            __m512 xv[3];
            for (int v = 0; v < NV; v++) xv[v] = _mm512_maskz_loadu_ps(m[v], xk + (size_t)c * HW + 16 * v);
            for (int o = 0; o < NO; o++) {
                __m512 wv = _mm512_set1_ps(wk[c * 8 + o]);
                for (int v = 0; v < NV; v++) acc[o][v] = _mm512_fmadd_ps(wv, xv[v], acc[o][v]);
            }
        }
    }
    for (int v = 0; v < NV; v++) {
        int p = p0 + 16 * v, left = HW - p;
        __mmask16 store = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        for (int o = 0; o < NO; o++) {
            __m512 value = acc[o][v];
            if (bias) value = _mm512_add_ps(value, _mm512_set1_ps(bias[o0 + o]));
            if (residual) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(store, residual + (size_t)(o0 + o) * HW + p));
            if (relu) value = _mm512_max_ps(value, _mm512_setzero_ps());
            _mm512_mask_storeu_ps(y + (size_t)(o0 + o) * HW + p, store, value);
        }
    }
}

// One out-of-line function per block shape: register allocation then sees a single small loop nest
// (inlined into one big switch, clang spilled accumulators and shuffled registers every iteration).
#define PK_FORWARD_INSTANCE(no, nv) \
    PK_TARGET __attribute__((noinline)) static void forward_##no##_##nv( \
        const float *x, int C, int HW, int KK, const int *offsets, const uint16_t *masks, const float *wp, int p0, \
        int o0, const float *bias, const float *residual, int relu, float *y) { \
        forward_block(x, C, HW, KK, offsets, masks, wp, p0, o0, bias, residual, relu, y, no, nv); \
    }
#define PK_FORWARD_INSTANCES(no) PK_FORWARD_INSTANCE(no, 1) PK_FORWARD_INSTANCE(no, 2) PK_FORWARD_INSTANCE(no, 3)
PK_FORWARD_INSTANCES(1) PK_FORWARD_INSTANCES(2) PK_FORWARD_INSTANCES(3) PK_FORWARD_INSTANCES(4)
PK_FORWARD_INSTANCES(5) PK_FORWARD_INSTANCES(6) PK_FORWARD_INSTANCES(7) PK_FORWARD_INSTANCES(8)

typedef void (*forward_function)(const float *, int, int, int, const int *, const uint16_t *, const float *, int, int,
                                 const float *, const float *, int, float *);
#define PK_FORWARD_ROW(no) {forward_##no##_1, forward_##no##_2, forward_##no##_3}
static const forward_function forward_table[8][3] = {
    PK_FORWARD_ROW(1), PK_FORWARD_ROW(2), PK_FORWARD_ROW(3), PK_FORWARD_ROW(4),
    PK_FORWARD_ROW(5), PK_FORWARD_ROW(6), PK_FORWARD_ROW(7), PK_FORWARD_ROW(8)};

PK_TARGET void pk_conv_same_forward(const float *x, int C, int H, int W, int KH, int KW, const float *packed, int OC,
                                    const uint16_t *masks, const float *bias, const float *residual, int relu, float *y) {
    int HW = H * W, KK = KH * KW, V = (HW + 15) / 16, PH = (KH - 1) / 2, PW = (KW - 1) / 2;
    int offsets[KK];
    for (int kk = 0; kk < KK; kk++) offsets[kk] = (kk / KW - PH) * W + (kk % KW - PW);
    for (int o0 = 0; o0 < OC; o0 += 8) {
        int no = OC - o0 < 8 ? OC - o0 : 8;
        const float *wp = packed + (size_t)o0 * KK * C;
        for (int v0 = 0; v0 < V; v0 += 3) {
            int nv = V - v0 < 3 ? V - v0 : 3;
            forward_table[no - 1][nv - 1](x, C, HW, KK, offsets, masks + (size_t)v0 * KK, wp, 16 * v0, o0, bias,
                                          residual, relu, y);
        }
    }
}
