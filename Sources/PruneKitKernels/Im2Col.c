// im2col and col2im for stride-1 convolutions with AVX-512 masked moves (the Swift im2col copied rows of 8-24 floats with
// memmove and took 15% of a LeNet-5 training step). Same results as Swift's `im2colReference` and
// `col2imReference`, bit for bit (a copy; additions in the same order).
#include "PruneKitKernels.h"
#include <immintrin.h>

#define PK_TARGET __attribute__((target("avx512f")))
#define PK_INLINE static inline __attribute__((always_inline))

/// Lanes ow in [16*v, 16*v + 16) of an OW-wide row whose source column ow - P + kw lies inside 0..<W.
static inline __mmask16 lanes(long start, int OW, int first, int last) {
    unsigned mask = OW - start >= 16 ? 0xFFFFu : (1u << (OW - start)) - 1;
    long lo = first - start, hi = last - start;  // valid: lo <= lane < hi
    if (lo > 0) mask &= lo >= 16 ? 0u : ~((1u << lo) - 1);
    if (hi < 16) mask &= hi <= 0 ? 0u : (1u << hi) - 1;
    return (__mmask16)mask;
}

/// Copies (im2col) or adds (col2im) one OW-wide row in vectors of 16 lanes. The masks stay in registers for
/// rows of NV <= 4 vectors (OW <= 64): kept in a stack array, the mask loads stalled behind the stores and the
/// copy ran at 8 us per LeNet-5 conv2 image against 3.8; wider rows (NV = 0) recompute masks per vector.
/// NV is a constant: each kernel below has one out-of-line copy per row width, chosen once per call. -O3 made
/// such copies of the row loop itself (non-trivial loop unswitching of OW > 16, 32, 48); at -O2 those tests
/// stayed in the row loop, and the 16 x 32 x 32 im2col ran 5% slower (col2im 15%, 64 x 8 x 8 im2col 10%).
#define PK_ROW_LOOP(BODY)                                                                                        \
    do {                                                                                                         \
        if (NV > 0) {                                                                                            \
            __mmask16 store[4], load[4];                                                                         \
            _Pragma("clang loop unroll(full)") for (int j = 0; j < NV; j++) {                                    \
                store[j] = lanes(16 * j, OW, 0, OW);                                                             \
                load[j] = lanes(16 * j, OW, first, last);                                                        \
            }                                                                                                    \
            for (int oh = ohFirst; oh < ohLast; oh++)                                                            \
                _Pragma("clang loop unroll(full)") for (int j = 0; j < NV; j++) BODY(16 * j, store[j], load[j]); \
        } else {                                                                                                 \
            for (int oh = ohFirst; oh < ohLast; oh++)                                                            \
                for (int v = 0; v < OW; v += 16) BODY(v, lanes(v, OW, 0, OW), lanes(v, OW, first, last));       \
        }                                                                                                        \
    } while (0)

PK_TARGET PK_INLINE void im2col_rows(const float *x, int C, int H, int W, int KH, int KW, int P, float *cols,
                                     const int NV) {
    const int OH = H + 2 * P - KH + 1, OW = W + 2 * P - KW + 1;
    const long area = (long)OH * OW;
    float *out = cols;
    for (int c = 0; c < C; c++) {
        const float *plane = x + (long)c * H * W;
        for (int kh = 0; kh < KH; kh++) {
            // Rows oh with ih = oh - P + kh inside the image; the others are zero.
            const int ohFirst = P - kh > 0 ? P - kh : 0, ohLast = H + P - kh < OH ? H + P - kh : OH;
            for (int kw = 0; kw < KW; kw++, out += area) {
                const int first = P - kw > 0 ? P - kw : 0, last = W + P - kw < OW ? W + P - kw : OW;
                for (long i = 0; i < (long)ohFirst * OW; i++) out[i] = 0;
                for (long i = (long)(ohLast > ohFirst ? ohLast : ohFirst) * OW; i < area; i++) out[i] = 0;
                const float *source = plane + (long)(kh - P) * W - P + kw;  // source[oh * W + ow] for valid ones
#define PK_COPY(v, store, load) \
    _mm512_mask_storeu_ps(out + (long)oh * OW + (v), store, _mm512_maskz_loadu_ps(load, source + (long)oh * W + (v)))
                PK_ROW_LOOP(PK_COPY);
#undef PK_COPY
            }
        }
    }
}

PK_TARGET PK_INLINE void col2im_rows(const float *cols, int C, int H, int W, int KH, int KW, int P, float *x,
                                     const int NV) {
    const int OH = H + 2 * P - KH + 1, OW = W + 2 * P - KW + 1;
    const long area = (long)OH * OW;
    const float *in = cols;
    for (int c = 0; c < C; c++) {
        float *plane = x + (long)c * H * W;
        for (int kh = 0; kh < KH; kh++) {
            const int ohFirst = P - kh > 0 ? P - kh : 0, ohLast = H + P - kh < OH ? H + P - kh : OH;
            for (int kw = 0; kw < KW; kw++, in += area) {
                const int first = P - kw > 0 ? P - kw : 0, last = W + P - kw < OW ? W + P - kw : OW;
                float *target = plane + (long)(kh - P) * W - P + kw;  // target[oh * W + ow] for valid ones
#define PK_ADD(v, store, valid)                                                                    \
    do {                                                                                           \
        float *at = target + (long)oh * W + (v);                                                   \
        __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(valid, at),                               \
                                   _mm512_maskz_loadu_ps(valid, in + (long)oh * OW + (v)));        \
        (void)(store);                                                                             \
        _mm512_mask_storeu_ps(at, valid, sum);                                                     \
    } while (0)
                PK_ROW_LOOP(PK_ADD);
#undef PK_ADD
            }
        }
    }
}

#define PK_INSTANCES(name, T, U)                                                                                    \
    PK_TARGET __attribute__((noinline)) static void name##_0(T a, int C, int H, int W, int KH, int KW, int P, U b) { \
        name##_rows(a, C, H, W, KH, KW, P, b, 0);                                                                   \
    }                                                                                                               \
    PK_TARGET __attribute__((noinline)) static void name##_1(T a, int C, int H, int W, int KH, int KW, int P, U b) { \
        name##_rows(a, C, H, W, KH, KW, P, b, 1);                                                                   \
    }                                                                                                               \
    PK_TARGET __attribute__((noinline)) static void name##_2(T a, int C, int H, int W, int KH, int KW, int P, U b) { \
        name##_rows(a, C, H, W, KH, KW, P, b, 2);                                                                   \
    }                                                                                                               \
    PK_TARGET __attribute__((noinline)) static void name##_3(T a, int C, int H, int W, int KH, int KW, int P, U b) { \
        name##_rows(a, C, H, W, KH, KW, P, b, 3);                                                                   \
    }                                                                                                               \
    PK_TARGET __attribute__((noinline)) static void name##_4(T a, int C, int H, int W, int KH, int KW, int P, U b) { \
        name##_rows(a, C, H, W, KH, KW, P, b, 4);                                                                   \
    }
PK_INSTANCES(im2col, const float *, float *)
PK_INSTANCES(col2im, const float *, float *)

/// Vectors per row of OW floats when they fit in the unrolled row loop (1-4), else 0.
static int row_vectors(int W, int KW, int P) {
    int OW = W + 2 * P - KW + 1;
    return OW <= 64 ? (OW + 15) / 16 : 0;
}

PK_TARGET void pk_im2col_stride1(const float *x, int C, int H, int W, int KH, int KW, int P, float *cols) {
    switch (row_vectors(W, KW, P)) {
    case 1: im2col_1(x, C, H, W, KH, KW, P, cols); break;
    case 2: im2col_2(x, C, H, W, KH, KW, P, cols); break;
    case 3: im2col_3(x, C, H, W, KH, KW, P, cols); break;
    case 4: im2col_4(x, C, H, W, KH, KW, P, cols); break;
    default: im2col_0(x, C, H, W, KH, KW, P, cols);
    }
}

PK_TARGET void pk_col2im_stride1(const float *cols, int C, int H, int W, int KH, int KW, int P, float *x) {
    switch (row_vectors(W, KW, P)) {
    case 1: col2im_1(cols, C, H, W, KH, KW, P, x); break;
    case 2: col2im_2(cols, C, H, W, KH, KW, P, x); break;
    case 3: col2im_3(cols, C, H, W, KH, KW, P, x); break;
    case 4: col2im_4(cols, C, H, W, KH, KW, P, x); break;
    default: col2im_0(cols, C, H, W, KH, KW, P, x);
    }
}
