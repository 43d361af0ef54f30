// im2col and col2im for stride-1 convolutions with AVX-512 masked moves (the Swift im2col copied rows of 8-24 floats with
// memmove and took 15% of a LeNet-5 training step). Same results as Swift's `im2colReference` and
// `col2imReference`, bit for bit (a copy; additions in the same order).
#include "PruneKitKernels.h"
#include <immintrin.h>

#define PK_TARGET __attribute__((target("avx512f")))

/// Lanes ow in [16*v, 16*v + 16) of an OW-wide row whose source column ow - P + kw lies inside 0..<W.
static inline __mmask16 lanes(long start, int OW, int first, int last) {
    unsigned mask = OW - start >= 16 ? 0xFFFFu : (1u << (OW - start)) - 1;
    long lo = first - start, hi = last - start;  // valid: lo <= lane < hi
    if (lo > 0) mask &= lo >= 16 ? 0u : ~((1u << lo) - 1);
    if (hi < 16) mask &= hi <= 0 ? 0u : (1u << hi) - 1;
    return (__mmask16)mask;
}

/// Copies (im2col) or adds (col2im) one OW-wide row in vectors of 16 lanes. The masks stay in registers for
/// rows of up to 4 vectors (OW <= 64): kept in a stack array, the mask loads stalled behind the stores and the
/// copy ran at 8 us per LeNet-5 conv2 image against 3.8; wider rows recompute masks per vector.
#define PK_ROW_LOOP(BODY)                                                                                        \
    do {                                                                                                         \
        if (OW <= 64) {                                                                                          \
            const __mmask16 s0 = lanes(0, OW, 0, OW), s1 = lanes(16, OW, 0, OW), s2 = lanes(32, OW, 0, OW),      \
                            s3 = lanes(48, OW, 0, OW);                                                           \
            const __mmask16 l0 = lanes(0, OW, first, last), l1 = lanes(16, OW, first, last),                     \
                            l2 = lanes(32, OW, first, last), l3 = lanes(48, OW, first, last);                    \
            for (int oh = ohFirst; oh < ohLast; oh++) {                                                          \
                BODY(0, s0, l0);                                                                                 \
                if (OW > 16) BODY(16, s1, l1);                                                                   \
                if (OW > 32) BODY(32, s2, l2);                                                                   \
                if (OW > 48) BODY(48, s3, l3);                                                                   \
            }                                                                                                    \
        } else {                                                                                                 \
            for (int oh = ohFirst; oh < ohLast; oh++)                                                            \
                for (int v = 0; v < OW; v += 16) BODY(v, lanes(v, OW, 0, OW), lanes(v, OW, first, last));       \
        }                                                                                                        \
    } while (0)

PK_TARGET void pk_im2col_stride1(const float *x, int C, int H, int W, int KH, int KW, int P, float *cols) {
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

PK_TARGET void pk_col2im_stride1(const float *cols, int C, int H, int W, int KH, int KW, int P, float *x) {
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
