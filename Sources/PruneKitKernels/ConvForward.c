// Tap-list convolution, forward (and, with transposed weights and negated taps, the input gradient).
// Register block: NO <= 8 output channels x NV pixel vectors, NV = 3 for NO = 7..8, 4 for 5..6, 6 for 1..4
// (at most 24 zmm accumulators). Per tap and input channel: NV masked loads of the shifted input row, NO weight
// broadcasts, NO*NV FMAs (8 x 3: 24 FMAs per 11 loads). Output channels are split into balanced blocks (pruned
// widths: 11 = 6 + 5, not 8 + 3, whose 3 x 3 block did 9 FMAs per 6 loads). Loop order: output-channel block
// outside (its packed weights, T*C*8 floats, stay in L1/L2), pixel blocks inside (the planes stay in L2).
#include "PruneKitKernels.h"
#include <immintrin.h>

#define PK_TARGET __attribute__((target("avx512f")))
#define PK_INLINE static inline __attribute__((always_inline))

typedef struct {
    const float *x;
    long xs, ys, pixels;
    int C, taps;
    const long *offsets;
    // Column-sparse form (pk_conv_forward_columns): tap t reads input channels channels[starts[t]..<starts[t+1]].
    const int *starts, *channels;
    // Scattered outputs (pk_conv_accumulate_rows): output o adds into row rows[o] of y.
    const int *rows;
    const float *bias, *residual;
    int relu;
    float *y;
} forward_args;

PK_TARGET PK_INLINE void forward_block(const forward_args *a, const uint16_t *masks, const float *wp, long p0, int o0,
                                       const int NO, const int NV, const int SPARSE, const int SCATTER) {
    __m512 acc[8][6];
    for (int o = 0; o < NO; o++)
        for (int v = 0; v < NV; v++) acc[o][v] = _mm512_setzero_ps();
    const int C = a->C, T = a->taps;
    const long xs = a->xs;
    // The C > 0 test outside the tap loop: left to the channel loop's own entry test, it is repeated per tap,
    // and at -O2 (no non-trivial loop unswitching, which -O3 uses to hoist it) the accumulators then cross that
    // branch's join every tap: clang copied all NO*NV of them between registers inside the channel loop
    // (16 vmovaps per 16 FMAs for 4 x 4) and spilled some for 3 x 6, 4 x 5 and up.
    if (SPARSE) {
        // Kept columns only: every tap in the list keeps at least one channel (the caller drops empty taps), so the
        // channel loop is a do-while with no entry test (see the C > 0 note below). Weights [kept column][8].
        for (int t = 0; t < T; t++) {
            __mmask16 m[6];
            for (int v = 0; v < NV; v++) m[v] = masks[v * T + t];
            const float *xt = a->x + p0 + a->offsets[t];
            int k = a->starts[t];
            const int end = a->starts[t + 1];
            do {
                const float *row = xt + a->channels[k] * xs;
                __m512 xv[6];
                for (int v = 0; v < NV; v++) xv[v] = _mm512_maskz_loadu_ps(m[v], row + 16 * v);
                for (int o = 0; o < NO; o++) {
                    __m512 wv = _mm512_set1_ps(wp[k * 8 + o]);
                    for (int v = 0; v < NV; v++) acc[o][v] = _mm512_fmadd_ps(wv, xv[v], acc[o][v]);
                }
            } while (++k < end);
        }
    } else if (C > 0)
        for (int t = 0; t < T; t++) {
            __mmask16 m[6];
            for (int v = 0; v < NV; v++) m[v] = masks[v * T + t];
            const float *xt = a->x + p0 + a->offsets[t];
            const float *wt = wp + (size_t)t * C * 8;
            for (int c = 0; c < C; c++) {
                __m512 xv[6];
                for (int v = 0; v < NV; v++) xv[v] = _mm512_maskz_loadu_ps(m[v], xt + c * xs + 16 * v);
                for (int o = 0; o < NO; o++) {
                    __m512 wv = _mm512_set1_ps(wt[c * 8 + o]);
                    for (int v = 0; v < NV; v++) acc[o][v] = _mm512_fmadd_ps(wv, xv[v], acc[o][v]);
                }
            }
        }
    // Fully unrolled: the accumulators are then read from registers. Left to the unroll threshold, 22 of the 38
    // block shapes at -O2 (13 at -O3, 4 x 4 and 6 x 4 among them) kept a loop here that stored them all to the
    // stack to index them: against -O3, unrolling made 32 x 32 planes 2-5% faster with 16 input channels and 13%
    // with 3 (few channel iterations per store).
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) {
        long p = p0 + 16 * v, left = a->pixels - p;
        __mmask16 store = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
#pragma clang loop unroll(full)
        for (int o = 0; o < NO; o++) {
            __m512 value = acc[o][v];
            long at = (SCATTER ? a->rows[o0 + o] : o0 + o) * a->ys + p;
            if (SCATTER) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(store, a->y + at));
            if (a->bias) value = _mm512_add_ps(value, _mm512_set1_ps(a->bias[o0 + o]));
            if (a->residual) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(store, a->residual + at));
            if (a->relu) value = _mm512_max_ps(value, _mm512_setzero_ps());
            _mm512_mask_storeu_ps(a->y + at, store, value);
        }
    }
}

// One out-of-line function per block shape: register allocation then sees a single small loop nest
// (inlined into one big switch, clang spilled accumulators and shuffled registers every iteration).
#define PK_FORWARD_INSTANCE(no, nv) \
    PK_TARGET __attribute__((noinline)) static void forward_##no##_##nv( \
        const forward_args *a, const uint16_t *masks, const float *wp, long p0, int o0) { \
        forward_block(a, masks, wp, p0, o0, no, nv, 0, 0); \
    } \
    PK_TARGET __attribute__((noinline)) static void sparse_##no##_##nv( \
        const forward_args *a, const uint16_t *masks, const float *wp, long p0, int o0) { \
        forward_block(a, masks, wp, p0, o0, no, nv, 1, 0); \
    } \
    PK_TARGET __attribute__((noinline)) static void scatter_##no##_##nv( \
        const forward_args *a, const uint16_t *masks, const float *wp, long p0, int o0) { \
        forward_block(a, masks, wp, p0, o0, no, nv, 0, 1); \
    }
#define PK_FORWARD_INSTANCES(no) PK_FORWARD_INSTANCE(no, 1) PK_FORWARD_INSTANCE(no, 2) PK_FORWARD_INSTANCE(no, 3)
#define PK_FORWARD_WIDE(no) PK_FORWARD_INSTANCE(no, 4)
#define PK_FORWARD_WIDEST(no) PK_FORWARD_INSTANCE(no, 5) PK_FORWARD_INSTANCE(no, 6)
PK_FORWARD_INSTANCES(1) PK_FORWARD_INSTANCES(2) PK_FORWARD_INSTANCES(3) PK_FORWARD_INSTANCES(4)
PK_FORWARD_INSTANCES(5) PK_FORWARD_INSTANCES(6) PK_FORWARD_INSTANCES(7) PK_FORWARD_INSTANCES(8)
PK_FORWARD_WIDE(1) PK_FORWARD_WIDE(2) PK_FORWARD_WIDE(3) PK_FORWARD_WIDE(4) PK_FORWARD_WIDE(5) PK_FORWARD_WIDE(6)
PK_FORWARD_WIDEST(1) PK_FORWARD_WIDEST(2) PK_FORWARD_WIDEST(3) PK_FORWARD_WIDEST(4)

typedef void (*forward_function)(const forward_args *, const uint16_t *, const float *, long, int);
#define PK_ROW3(f, no) {f##_##no##_1, f##_##no##_2, f##_##no##_3, NULL, NULL, NULL}
#define PK_ROW4(f, no) {f##_##no##_1, f##_##no##_2, f##_##no##_3, f##_##no##_4, NULL, NULL}
#define PK_ROW6(f, no) {f##_##no##_1, f##_##no##_2, f##_##no##_3, f##_##no##_4, f##_##no##_5, f##_##no##_6}
#define PK_TABLE(f) {PK_ROW6(f, 1), PK_ROW6(f, 2), PK_ROW6(f, 3), PK_ROW6(f, 4), PK_ROW4(f, 5), PK_ROW4(f, 6), \
                     PK_ROW3(f, 7), PK_ROW3(f, 8)}
static const forward_function forward_table[8][6] = PK_TABLE(forward);
static const forward_function sparse_table[8][6] = PK_TABLE(sparse);
static const forward_function scatter_table[8][6] = PK_TABLE(scatter);
/// Widest pixel block per output block size NO (1-based): NO * NV <= 24 accumulators.
static const int widest[9] = {0, 6, 6, 6, 6, 4, 4, 3, 3};

/// Runs the block shapes of `table` over every output block and pixel run; `columns` floats of packed weights per
/// output row (T*C dense, the kept column count sparse).
PK_TARGET static void forward_all(const forward_args *a, const forward_function table[8][6], long columns, const uint16_t *masks,
                                  const float *packed, int OC) {
    long V = (a->pixels + 15) / 16;
    int blocks = pk_output_blocks(OC);
    for (int b = 0; b < blocks; b++) {
        int o0, no;
        pk_output_block(OC, b, &o0, &no);
        int nvMax = widest[no];
        const float *wp = packed + (size_t)b * 8 * columns;
        for (long v0 = 0; v0 < V; v0 += nvMax) {
            int nv = V - v0 < nvMax ? (int)(V - v0) : nvMax;
            table[no - 1][nv - 1](a, masks + v0 * a->taps, wp, 16 * v0, o0);
        }
    }
}

PK_TARGET void pk_conv_forward(const float *x, long xs, int C, long pixels, int taps, const long *offsets,
                               const uint16_t *masks, const float *packed, int OC, const float *bias,
                               const float *residual, int relu, float *y, long ys) {
    forward_args a = {x, xs, ys, pixels, C, taps, offsets, NULL, NULL, NULL, bias, residual, relu, y};
    forward_all(&a, forward_table, (long)taps * C, masks, packed, OC);
}

PK_TARGET void pk_conv_forward_columns(const float *x, long xs, long pixels, int taps, const long *offsets,
                                       const uint16_t *masks, const int *starts, const int *channels, const float *packed,
                                       int OC, const float *bias, const float *residual, int relu, float *y, long ys) {
    forward_args a = {x, xs, ys, pixels, 0, taps, offsets, starts, channels, NULL, bias, residual, relu, y};
    if (taps > 0) {
        forward_all(&a, sparse_table, starts[taps], masks, packed, OC);
        return;
    }
    // No kept column: y = act(bias + residual).
    for (int o = 0; o < OC; o++)
        for (long p = 0; p < pixels; p++) {
            float value = (bias ? bias[o] : 0) + (residual ? residual[o * ys + p] : 0);
            y[o * ys + p] = relu && value < 0 ? 0 : value;
        }
}

PK_TARGET void pk_conv_accumulate_rows(const float *x, long xs, int C, long pixels, int taps, const long *offsets,
                                       const uint16_t *masks, const float *packed, int OC, const int *rows, float *y,
                                       long ys) {
    forward_args a = {x, xs, ys, pixels, C, taps, offsets, NULL, NULL, rows, NULL, NULL, 0, y};
    forward_all(&a, scatter_table, (long)taps * C, masks, packed, OC);
}
