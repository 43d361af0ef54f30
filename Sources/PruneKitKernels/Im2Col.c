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

PK_TARGET void pk_im2col_stride1(const float *x, int C, int H, int W, int KH, int KW, int P, float *cols) {
    const int OH = H + 2 * P - KH + 1, OW = W + 2 * P - KW + 1;
    const long area = (long)OH * OW;
    float *out = cols;
    for (int c = 0; c < C; c++) {
        const float *plane = x + (long)c * H * W;
        for (int kh = 0; kh < KH; kh++) {
            for (int kw = 0; kw < KW; kw++, out += area) {
                int first = P - kw > 0 ? P - kw : 0, last = W + P - kw < OW ? W + P - kw : OW;
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh - P + kh;
                    float *row = out + (long)oh * OW;
                    if (ih < 0 || ih >= H) {
                        for (int v = 0; v < OW; v += 16) {
                            __mmask16 store = OW - v >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (OW - v)) - 1);
                            _mm512_mask_storeu_ps(row + v, store, _mm512_setzero_ps());
                        }
                        continue;
                    }
                    const float *source = plane + (long)ih * W - P + kw;  // source[ow] for valid ow
                    for (int v = 0; v < OW; v += 16) {
                        __mmask16 store = OW - v >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (OW - v)) - 1);
                        __m512 value = _mm512_maskz_loadu_ps(lanes(v, OW, first, last) & store, source + v);
                        _mm512_mask_storeu_ps(row + v, store, value);
                    }
                }
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
            for (int kw = 0; kw < KW; kw++, in += area) {
                int first = P - kw > 0 ? P - kw : 0, last = W + P - kw < OW ? W + P - kw : OW;
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh - P + kh;
                    if (ih < 0 || ih >= H) continue;
                    const float *row = in + (long)oh * OW;
                    float *target = plane + (long)ih * W - P + kw;  // target[ow] for valid ow
                    for (int v = 0; v < OW; v += 16) {
                        __mmask16 valid = lanes(v, OW, first, last);
                        __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(valid, target + v),
                                                   _mm512_maskz_loadu_ps(valid, row + v));
                        _mm512_mask_storeu_ps(target + v, valid, sum);
                    }
                }
            }
        }
    }
}
