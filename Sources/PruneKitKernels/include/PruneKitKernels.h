// PruneKitKernels: direct convolution kernels for "same" stride-1 convolutions on NCHW images, in C with
// AVX-512 intrinsics (SwiftPM compiles Swift for baseline x86-64, so Swift code cannot use zmm registers).
// Every entry point runs only when pk_cpu_has_avx512() is true; PruneKit keeps its im2col + sgemm path as
// the portable fallback and as the reference the tests compare these kernels with.
//
// Legend: C input channels, OC output channels, H x W image (input and output: "same" geometry, stride 1,
// KH = 2*PH + 1, KW = 2*PW + 1), KK = KH*KW, HW = H*W, V = ceil(HW / 16) pixel vectors per plane.
// A pixel vector covers 16 consecutive flattened pixels p = oh*W + ow; the input read by kernel tap
// (kh, kw) for output pixel p is x[p + (kh - PH)*W + (kw - PW)], valid only where the row and column stay
// inside the image: masks[v*KK + kh*KW + kw] holds that validity for the 16 lanes of vector v.
#ifndef PRUNEKIT_KERNELS_H
#define PRUNEKIT_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU and OS support AVX-512F (zmm state enabled), else 0.
int pk_cpu_has_avx512(void);

/// Number of uint16 lane masks for a same-geometry conv: V * KK.
size_t pk_same_mask_count(int H, int W, int KH, int KW);
/// Fills masks [V][KK]: bit l of masks[v*KK + kh*KW + kw] is set when pixel p = 16v + l < HW and tap (kh, kw)
/// reads inside the image (PH = (KH-1)/2, PW = (KW-1)/2).
void pk_same_masks(int H, int W, int KH, int KW, uint16_t *masks);

/// Floats in packed weights for OC outputs and C*KK taps: roundup(OC, 8) * C * KK.
size_t pk_packed_weight_count(int OC, int C, int KK);
/// Packs weights for pk_conv_same_forward: per block of 8 output channels, [KK][C][8] (zero-padded rows).
/// transposeFlip = 0: w is [OC, C, KH, KW] (forward). transposeFlip = 1: w is [C, OC, KH, KW] and the
/// packed kernel is w[c, o, KH-1-kh, KW-1-kw], the adjoint conv that maps dY to dX.
void pk_pack_weights(const float *w, int OC, int C, int KH, int KW, int transposeFlip, float *packed);

/// One image: y[o, p] = act(sum_{c,kh,kw} w[o,c,kh,kw] x[c, p + (kh-PH)*W + (kw-PW)] + bias[o] + residual[o, p]).
/// x [C, HW]; y [OC, HW] overwritten; bias [OC] or NULL; residual [OC, HW] or NULL; relu 0/1.
void pk_conv_same_forward(const float *x, int C, int H, int W, int KH, int KW, const float *packed, int OC,
                          const uint16_t *masks, const float *bias, const float *residual, int relu, float *y);

/// A group of images: dw[o, c, kh, kw] += sum_n sum_p dy[n, o, p] * x[n, c, p + (kh-PH)*W + (kw-PW)].
/// x image n at x + n*xImageStride ([C, HW]); dy image n at dy + n*dyImageStride ([OC, HW]); dw [OC, C, KH, KW].
void pk_conv_same_weight_gradient(const float *x, long xImageStride, const float *dy, long dyImageStride, int images,
                                  int C, int H, int W, int KH, int KW, int OC, const uint16_t *masks, float *dw);

#endif
