// Tap-list convolution, weight gradient: dw[o, c, tap] += sum_n sum_p dy[n, o, p] * x[n, c, p + offsets[tap]].
// Register block: NO <= 4 output channels x NC <= 5 input channels at one tap = 20 zmm accumulators of per-lane
// partial sums; per pixel vector NO + NC loads and NO*NC FMAs (4 x 6 would need 34 registers with its loads:
// clang then spills). Channel blocks are balanced (16 channels: 4 + 4 + 4 + 4, not 5 + 5 + 5 + 1). The lanes
// are summed once per block and image group; images are grouped until a block's rows fill about 32 KB of L1.
#include "PruneKitKernels.h"
#include <immintrin.h>

#define PK_TARGET __attribute__((target("avx512f")))
#define PK_INLINE static inline __attribute__((always_inline))

typedef struct {
    const float *x, *dy;  // first image of the group
    long xImage, xPlane, dyImage, dyPlane, pixels;  // strides in floats; pixels per plane
    int images, taps;
} weight_args;

PK_TARGET PK_INLINE void weight_block(const weight_args *a, int t, long offset, const uint16_t *masks, int o0, int c0,
                                      const int *ch, float *dw, long dwo, long dwc, const int NO, const int NC,
                                      const int SPARSE) {
    __m512 acc[4][5];
    for (int o = 0; o < NO; o++)
        for (int c = 0; c < NC; c++) acc[o][c] = _mm512_setzero_ps();
    const long pixels = a->pixels, V = (pixels + 15) / 16, xp = a->xPlane, dp = a->dyPlane;
    const int T = a->taps;
    // Input rows of the block: channels c0.. in order, or (column-sparse) the listed channels ch[0..NC).
    int channel[5];
    long rows[5];
    for (int c = 0; c < NC; c++) {
        channel[c] = SPARSE ? ch[c] : c0 + c;
        rows[c] = channel[c] * xp;
    }
    // V > 0 tested once, outside the image loop, for the reason in ConvForward.c: repeated per image by the pixel
    // loop's entry test, it made -O2 copy the accumulators between registers (4 x 4: 16 vmovaps per 16 FMAs) and
    // spill five of them for 4 x 5 inside the pixel loop.
    if (V > 0)
        for (int n = 0; n < a->images; n++) {
            const float *xn = a->x + n * a->xImage + offset, *dyn = a->dy + n * a->dyImage + o0 * dp;
            for (long v = 0; v < V; v++) {
                long p = 16 * v, left = pixels - p;
                __mmask16 tail = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
                __mmask16 m = masks[v * T + t];
                __m512 d[4];
                for (int o = 0; o < NO; o++) d[o] = _mm512_maskz_loadu_ps(tail, dyn + o * dp + p);
                for (int c = 0; c < NC; c++) {
                    __m512 xv = _mm512_maskz_loadu_ps(m, xn + rows[c] + p);
                    for (int o = 0; o < NO; o++) acc[o][c] = _mm512_fmadd_ps(d[o], xv, acc[o][c]);
                }
            }
        }
    // Fully unrolled, as -O3 does: -O2 kept the o loop, stored the accumulators to the stack to index them, and the
    // block (4 x 4 on 8 x 8 planes, few pixel vectors per call) ran 5% slower than at -O3.
#pragma clang loop unroll(full)
    for (int o = 0; o < NO; o++)
#pragma clang loop unroll(full)
        for (int c = 0; c < NC; c++) dw[(o0 + o) * dwo + channel[c] * dwc] += _mm512_reduce_add_ps(acc[o][c]);
}

// One out-of-line function per block shape, so that each loop nest gets its own register allocation.
#define PK_WEIGHT_INSTANCE(no, nc) \
    PK_TARGET __attribute__((noinline)) static void weight_##no##_##nc( \
        const weight_args *a, int t, long offset, const uint16_t *masks, int o0, int c0, const int *ch, float *dw, \
        long dwo, long dwc) { \
        weight_block(a, t, offset, masks, o0, c0, ch, dw, dwo, dwc, no, nc, 0); \
    } \
    PK_TARGET __attribute__((noinline)) static void sparse_##no##_##nc( \
        const weight_args *a, int t, long offset, const uint16_t *masks, int o0, int c0, const int *ch, float *dw, \
        long dwo, long dwc) { \
        weight_block(a, t, offset, masks, o0, c0, ch, dw, dwo, dwc, no, nc, 1); \
    }
#define PK_WEIGHT_INSTANCES(no) \
    PK_WEIGHT_INSTANCE(no, 1) PK_WEIGHT_INSTANCE(no, 2) PK_WEIGHT_INSTANCE(no, 3) PK_WEIGHT_INSTANCE(no, 4) \
    PK_WEIGHT_INSTANCE(no, 5)
PK_WEIGHT_INSTANCES(1) PK_WEIGHT_INSTANCES(2) PK_WEIGHT_INSTANCES(3) PK_WEIGHT_INSTANCES(4)

typedef void (*weight_function)(const weight_args *, int, long, const uint16_t *, int, int, const int *, float *, long,
                                long);
#define PK_WEIGHT_ROW(f, no) {f##_##no##_1, f##_##no##_2, f##_##no##_3, f##_##no##_4, f##_##no##_5}
static const weight_function weight_table[4][5] = {PK_WEIGHT_ROW(weight, 1), PK_WEIGHT_ROW(weight, 2),
                                                   PK_WEIGHT_ROW(weight, 3), PK_WEIGHT_ROW(weight, 4)};
static const weight_function sparse_table[4][5] = {PK_WEIGHT_ROW(sparse, 1), PK_WEIGHT_ROW(sparse, 2),
                                                   PK_WEIGHT_ROW(sparse, 3), PK_WEIGHT_ROW(sparse, 4)};

/// Images per call: a block's rows should fill about 32 KB of L1.
static long image_group(long pixels) {
    long group = 32768 / (9 * pixels * 4);
    return group < 1 ? 1 : group;
}

/// Both entry points: image groups, output blocks of 4, then the dense channel blocks with taps innermost (channels
/// NULL) or the column segments (in the same order, built by ConvolutionTapPlan).
PK_TARGET static void weight_gradient_all(const weight_args *base, int images, int C, const long *offsets,
                                          const uint16_t *masks, const int *weightTaps, int KKw, int OC, int segments,
                                          const int *segmentTaps, const int *segmentStarts, const int *channels,
                                          float *dw) {
    long group = image_group(base->pixels);
    for (long n0 = 0; n0 < images; n0 += group) {
        weight_args a = *base;
        a.x += n0 * a.xImage;
        a.dy += n0 * a.dyImage;
        a.images = (int)(images - n0 < group ? images - n0 : group);
        for (int o0 = 0; o0 < OC; o0 += 4) {
            int no = OC - o0 < 4 ? OC - o0 : 4;
            if (channels) {
                for (int s = 0; s < segments; s++) {
                    int t = segmentTaps[s], first = segmentStarts[s], nc = segmentStarts[s + 1] - first;
                    sparse_table[no - 1][nc - 1](&a, t, offsets[t], masks, o0, 0, channels + first, dw + weightTaps[t],
                                                 (long)C * KKw, KKw);
                }
                continue;
            }
            // Taps innermost: the block's NC input rows and NO gradient rows are reused by every tap while
            // they sit in L1 (taps outside re-streamed every input plane once per tap).
            int blocks = (C + 4) / 5;
            for (int b = 0, c0 = 0; b < blocks; b++) {
                int nc = C / blocks + (b < C % blocks ? 1 : 0);
                for (int t = 0; t < a.taps; t++) {
                    weight_table[no - 1][nc - 1](&a, t, offsets[t], masks, o0, c0, NULL, dw + weightTaps[t],
                                                 (long)C * KKw, KKw);
                }
                c0 += nc;
            }
        }
    }
}

PK_TARGET void pk_conv_weight_gradient(const float *x, long xImage, long xPlane, const float *dy, long dyImage,
                                       long dyPlane, int images, int C, long pixels, int taps, const long *offsets,
                                       const uint16_t *masks, const int *weightTaps, int KKw, int OC, float *dw) {
    weight_args a = {x, dy, xImage, xPlane, dyImage, dyPlane, pixels, images, taps};
    weight_gradient_all(&a, images, C, offsets, masks, weightTaps, KKw, OC, 0, NULL, NULL, NULL, dw);
}

PK_TARGET void pk_conv_weight_gradient_columns(const float *x, long xImage, long xPlane, const float *dy, long dyImage,
                                               long dyPlane, int images, int C, long pixels, int taps, const long *offsets,
                                               const uint16_t *masks, const int *weightTaps, int KKw, int OC,
                                               int segments, const int *segmentTaps, const int *segmentStarts,
                                               const int *channels, float *dw) {
    weight_args a = {x, dy, xImage, xPlane, dyImage, dyPlane, pixels, images, taps};
    weight_gradient_all(&a, images, C, offsets, masks, weightTaps, KKw, OC, segments, segmentTaps, segmentStarts, channels,
                        dw);
}
