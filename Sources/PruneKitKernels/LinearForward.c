// Fully connected forward without packing: y[n, o] = b[o] + sum_k x[n, k] w[o, k] (x [N, K], w [O, K], both
// row-major along k, as PyTorch stores them). OpenBLAS packs the whole weight on every call (sgemm_incopy: 17%
// of an MLP inference step, each thread packing all 784 x 300 weights for its 64 images); here both operands
// are read in place along k.
//
// Register block: NB <= 3 rows of x times 8 rows of w = 24 zmm accumulators of per-lane partial sums; per 16
// values of k: NB + 8 loads and 8 * NB FMAs. A tree of shuffles then sums each row's 8 accumulators into the
// 8 outputs at once (about 24 shuffles and adds per row, against 8 * K / 16 FMAs). Loop order: weight block of 8
// rows outside (8 * K floats stay in L1: 25 KB for K = 784), rows of x inside (N * K floats in L2).
#include "PruneKitKernels.h"
#include <immintrin.h>

#define PK_TARGET __attribute__((target("avx512f")))
#define PK_INLINE static inline __attribute__((always_inline))

/// Lane o (0..7) of the result: the horizontal sum of acc[o] (lanes 8..15: unspecified).
PK_TARGET PK_INLINE __m512 sum_eight(const __m512 acc[8]) {
    __m512 half[4];  // half[i] = [acc[2i] halves summed (8) | acc[2i+1] halves summed (8)]
    for (int i = 0; i < 4; i++) {
        __m512 a = acc[2 * i], b = acc[2 * i + 1];
        half[i] = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
    }
    __m512 quarter[2];  // quarter[j] = 128-bit lanes: 4 partials of acc[4j], acc[4j+1], acc[4j+2], acc[4j+3]
    for (int j = 0; j < 2; j++) {
        __m512 a = half[2 * j], b = half[2 * j + 1];
        quarter[j] = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x88), _mm512_shuffle_f32x4(a, b, 0xDD));
    }
    // Within each 128-bit lane: [u0 u1 u2 u3] of quarter[0] and [v0 v1 v2 v3] of quarter[1] ->
    // [u0+u1, u2+u3, v0+v1, v2+v3] -> lane 0: u total, lane 2: v total.
    __m512 pairs = _mm512_add_ps(_mm512_shuffle_ps(quarter[0], quarter[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                 _mm512_shuffle_ps(quarter[0], quarter[1], _MM_SHUFFLE(3, 1, 3, 1)));
    __m512 totals = _mm512_add_ps(pairs, _mm512_shuffle_ps(pairs, pairs, _MM_SHUFFLE(2, 3, 0, 1)));
    // Lane 4q holds acc[q] (q = 0..3), lane 4q + 2 holds acc[4 + q].
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_permutexvar_ps(order, totals);
}

/// The last K % 16 values of k for rows n < N of a block of outputs: y[n, o] = act(y[n, o] + sum over the tail),
/// after linear_block stored the sums over the first K / 16 * 16 values without the activation. Called once per
/// output block for all its rows, after them (not from linear_block: see there).
PK_TARGET __attribute__((noinline)) static void linear_tail(const float *x, long K, const float *const rows[8], long k0,
                                                            long N, int relu, int outputs, float *y, long O) {
    const __mmask16 lanes = (__mmask16)((1u << (K - k0)) - 1), store = (__mmask16)((1u << outputs) - 1);
    for (long n = 0; n < N; n++) {
        __m512 acc[8];
        __m512 xv = _mm512_maskz_loadu_ps(lanes, x + n * K + k0);
        for (int o = 0; o < 8; o++) acc[o] = _mm512_mul_ps(xv, _mm512_maskz_loadu_ps(lanes, rows[o] + k0));
        __m512 value = _mm512_add_ps(sum_eight(acc), _mm512_maskz_loadu_ps(store, y + n * O));
        if (relu) value = _mm512_max_ps(value, _mm512_setzero_ps());
        _mm512_mask_storeu_ps(y + n * O, store, value);
    }
}

/// y[n, o] = act(bias[o] + sum over the first K / 16 * 16 values of k) for n < NB, act = ReLU when relu != 0.
/// No branch after the loop and no call: at -O2 a relu branch between the rows' stores (which -O3 unswitched
/// out of the row loop) or the call to linear_tail here made clang spill 20 of the 24 accumulators and shuffle
/// the rest inside the k loop (80 instructions per 24 FMAs against 38); relu is a lane mask for the same reason.
PK_TARGET PK_INLINE void linear_block(const float *x, long K, const float *const rows[8], const float *bias,
                                      int relu, int outputs, float *y, long O, const int NB) {
    __m512 acc[3][8];
    for (int n = 0; n < NB; n++)
        for (int o = 0; o < 8; o++) acc[n][o] = _mm512_setzero_ps();
    // Full vectors with plain loads (masked ones ran at 172 against 196 GFLOP/s); the masked tail in a second
    // pass (linear_tail), since a second copy of the loop here made clang spill 9 accumulators.
    const long full = K / 16 * 16;
#pragma clang loop unroll(disable)
    for (long k = 0; k < full; k += 16) {
        __m512 xv[3];
        for (int n = 0; n < NB; n++) xv[n] = _mm512_loadu_ps(x + n * K + k);
        for (int o = 0; o < 8; o++) {
            __m512 wv = _mm512_loadu_ps(rows[o] + k);
            for (int n = 0; n < NB; n++) acc[n][o] = _mm512_fmadd_ps(xv[n], wv, acc[n][o]);
        }
    }
    __mmask16 store = (__mmask16)((1u << outputs) - 1);
    __m512 b = bias ? _mm512_maskz_loadu_ps(store, bias) : _mm512_setzero_ps();
    const __mmask16 rectify = relu ? (__mmask16)0xFFFF : 0;
    for (int n = 0; n < NB; n++) {
        __m512 value = _mm512_add_ps(sum_eight(acc[n]), b);
        value = _mm512_mask_max_ps(value, rectify, value, _mm512_setzero_ps());  // max(value, 0) where relu
        _mm512_mask_storeu_ps(y + n * O, store, value);
    }
}

#define PK_LINEAR_INSTANCE(nb)                                                                                    \
    PK_TARGET __attribute__((noinline)) static void linear_##nb(const float *x, long K, const float *const rows[8], \
                                                                const float *bias, int relu, int outputs, float *y, \
                                                                long O) {                                           \
        linear_block(x, K, rows, bias, relu, outputs, y, O, nb);                                                    \
    }
PK_LINEAR_INSTANCE(1) PK_LINEAR_INSTANCE(2) PK_LINEAR_INSTANCE(3)

PK_TARGET void pk_linear_forward(const float *x, long N, long K, const float *w, long O, const float *bias, int relu,
                                 float *y) {
    for (long o0 = 0; o0 < O; o0 += 8) {
        int outputs = O - o0 < 8 ? (int)(O - o0) : 8;
        const float *rows[8];  // a short last block repeats its last row (read, never stored)
        for (int o = 0; o < 8; o++) rows[o] = w + (o0 + (o < outputs ? o : outputs - 1)) * K;
        const float *b = bias ? bias + o0 : NULL;
        // With a tail (K % 16 != 0) the blocks store sums without the activation, and linear_tail applies it, in
        // one call for all N rows (one call per 3 rows instead cost LeNet-5's fc2, K = 120, 2%).
        const long full = K / 16 * 16;
        const int blockRelu = full == K ? relu : 0;
        long n = 0;
        for (; n + 3 <= N; n += 3) linear_3(x + n * K, K, rows, b, blockRelu, outputs, y + n * O + o0, O);
        if (N - n == 2) linear_2(x + n * K, K, rows, b, blockRelu, outputs, y + n * O + o0, O);
        if (N - n == 1) linear_1(x + n * K, K, rows, b, blockRelu, outputs, y + n * O + o0, O);
        if (full < K) linear_tail(x, K, rows, full, N, relu, outputs, y + o0, O);
    }
}
