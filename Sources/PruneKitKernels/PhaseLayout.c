// Moving images between NCHW and the kernels' layout: G images stacked per plane and, for stride S, each image
// split into S*S phase planes (phase a*S + b holds pixels (S*r + a, S*q + b)). Channel c of the stacked layout
// starts at c*cs; phase f at f*G*R*Q within it; image i at i*R*Q; pixel (r, q) at r*Q + q. Unpadded ("valid")
// convolutions keep the input's row pitch for their smaller output rows: pk_expand_rows / pk_compact_rows.
#include "PruneKitKernels.h"
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

// S == 1 is tested once, before the image loops, in both directions: -O3 moves it there itself (non-trivial loop
// unswitching); at -O2, tested per plane, it kept the strided path's set-up in the loop, and stacking 6 planes of
// 12 x 12 took 1.5 times as long (8 images of 64 x 8 x 8: 1.12).
void pk_gather_phases(const float *x, int G, int C, int H, int W, int S, unsigned phases, float *out, long cs) {
    if (S == 1) {
        for (int i = 0; i < G; i++)
            for (int c = 0; c < C; c++)
                memcpy(out + c * cs + i * (long)H * W, x + ((long)i * C + c) * H * W, sizeof(float) * H * W);
        return;
    }
    int R = H / S, Q = W / S;
    if (R <= 0 || Q <= 0) return;  // nothing to move; tested here, not by the row loops once per phase and row
    long plane = (long)R * Q, phaseStride = (long)G * plane;
    for (int i = 0; i < G; i++) {
        for (int c = 0; c < C; c++) {
            const float *image = x + ((long)i * C + c) * H * W;
            float *channel = out + c * cs + i * plane;
            for (int a = 0; a < S; a++) {
                for (int b = 0; b < S; b++) {
                    if (!(phases >> (a * S + b) & 1)) continue;
                    float *target = channel + (a * S + b) * phaseStride;
                    for (int r = 0; r < R; r++) {
                        const float *row = image + (long)(S * r + a) * W + b;
                        for (int q = 0; q < Q; q++) target[r * Q + q] = row[S * q];
                    }
                }
            }
        }
    }
}

void pk_scatter_phases(const float *in, long cs, int G, int C, int H, int W, int S, float *x) {
    if (S == 1) {
        for (int i = 0; i < G; i++)
            for (int c = 0; c < C; c++)
                memcpy(x + ((long)i * C + c) * H * W, in + c * cs + i * (long)H * W, sizeof(float) * H * W);
        return;
    }
    int R = H / S, Q = W / S;
    if (R <= 0 || Q <= 0) return;  // nothing to move; tested here, not by the row loops once per phase and row
    long plane = (long)R * Q, phaseStride = (long)G * plane;
    for (int i = 0; i < G; i++) {
        for (int c = 0; c < C; c++) {
            float *image = x + ((long)i * C + c) * H * W;
            const float *channel = in + c * cs + i * plane;
            for (int a = 0; a < S; a++) {
                for (int b = 0; b < S; b++) {
                    const float *source = channel + (a * S + b) * phaseStride;
                    for (int r = 0; r < R; r++) {
                        float *row = image + (long)(S * r + a) * W + b;
                        for (int q = 0; q < Q; q++) row[S * q] = source[r * Q + q];
                    }
                }
            }
        }
    }
}

void pk_expand_rows(const float *y, int C, int R, int V, int Q, float *out, long cs) {
    for (int c = 0; c < C; c++) {
        for (int r = 0; r < R; r++) {
            float *row = out + c * cs + (long)r * Q;
            memcpy(row, y + ((long)c * R + r) * V, sizeof(float) * V);
            memset(row + V, 0, sizeof(float) * (Q - V));
        }
    }
}

void pk_compact_rows(const float *in, long cs, int C, int R, int V, int Q, float *y) {
    for (int c = 0; c < C; c++)
        for (int r = 0; r < R; r++) memcpy(y + ((long)c * R + r) * V, in + c * cs + (long)r * Q, sizeof(float) * V);
}

void pk_gather_columns(const float *x, int C, int H, int W, int KW, float *out, long cs) {
    int V = W - KW + 1;
    long phaseStride = (long)H * V;
    for (int c = 0; c < C; c++) {
        const float *image = x + (long)c * H * W;
        for (int b = 0; b < KW; b++) {
            float *target = out + c * cs + b * phaseStride;
            for (int r = 0; r < H; r++) memcpy(target + (long)r * V, image + (long)r * W + b, sizeof(float) * V);
        }
    }
}

/// Per 16-lane vector of a dX row: one masked load per phase at the phase row shifted right by b (lanes outside
/// 0 <= w - b < V masked off; masked lanes never fault), summed in a register and stored once. The scalar loop
/// (with a memset first) was 4.6% of a LeNet-5 training step. Callers run only on AVX-512 CPUs (the direct path).
__attribute__((target("avx512f"))) void pk_scatter_columns(const float *in, long cs, int C, int H, int W, int KW,
                                                           float *x) {
    int V = W - KW + 1;
    long phaseStride = (long)H * V;
    if (KW < 1) {  // no phases: x = 0 (the empty sum). Tested here, not once per vector by the phase loop below.
        for (int c = 0; c < C; c++)
            for (int r = 0; r < H && W > 0; r++) memset(x + (long)c * H * W + (long)r * W, 0, sizeof(float) * W);
        return;
    }
    for (int c = 0; c < C; c++) {
        float *image = x + (long)c * H * W;
        const float *channel = in + c * cs;
        for (int r = 0; r < H; r++) {
            float *row = image + (long)r * W;
            for (int v = 0; v < W; v += 16) {
                __m512 sum = _mm512_setzero_ps();
                for (int b = 0; b < KW; b++) {
                    int lo = b - v > 0 ? b - v : 0, hi = b + V - v < 16 ? b + V - v : 16;  // lanes w - b in [0, V)
                    if (hi <= lo) continue;
                    __mmask16 lanes = (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1));
                    const float *source = channel + b * phaseStride + (long)r * V - b + v;  // source[l] = phase[w - b]
                    sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(lanes, source));
                }
                __mmask16 store = W - v >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (W - v)) - 1);
                _mm512_mask_storeu_ps(row + v, store, sum);
            }
        }
    }
}
