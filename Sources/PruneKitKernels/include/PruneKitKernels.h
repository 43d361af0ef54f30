// PruneKitKernels: direct convolution kernels for NCHW images in C with AVX-512 intrinsics (SwiftPM compiles
// Swift for baseline x86-64, so Swift code cannot use zmm registers). Every pk_conv_* entry point runs only
// when pk_cpu_has_avx512() is true; PruneKit keeps its im2col + sgemm path as the portable fallback and as
// the reference the tests compare these kernels with.
//
// Model: a convolution is a list of taps over input planes. Input channel c is a run of floats at x + c*xs
// holding one or more planes (stride-S convolutions split each image into S*S phase planes); output pixel
// p (0 <= p < pixels, flattened over a plane of G stacked images) of tap t reads x[c*xs + p + offsets[t]],
// where lane l of vector v (p = 16v + l) is valid only if bit l of masks[v*taps + t] is set (the tap stays
// inside p's own image). y[o, p] = sum_{c,t} w[o, c, t] x[c*xs + p + offsets[t]]: a GEMM whose operand rows
// are shifted input rows, never materialised (no im2col).
//
// Legend: C input channels, OC output channels, T taps, G images stacked per plane, R x Q plane rows x cols.
#ifndef PRUNEKIT_KERNELS_H
#define PRUNEKIT_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU and OS support AVX-512F (zmm state enabled), else 0.
int pk_cpu_has_avx512(void);

/// A plane stride (floats) of at least `count` that is a multiple of 16 but not of 256 (1 KiB): consecutive
/// planes then start in different L1 sets.
long pk_padded_stride(long count);

/// Number of uint16 lane masks for `pixels` outputs and T taps: ceil(pixels / 16) * T.
size_t pk_tap_mask_count(long pixels, int taps);
/// Fills masks [V][T] for G stacked output planes of R rows with row pitch Q (of which the first `validColumns`
/// columns are real outputs), reading source planes of `sourceRows` x `sourceColumns` stored with the same pitch:
/// bit l of masks[v*T + t] is set when p = 16v + l < G*R*Q, q < validColumns and (r + dh[t], q + dw[t]) lies
/// inside the source image, where r = (p / Q) % R and q = p % Q.
void pk_tap_masks(int G, int R, int Q, int validColumns, int sourceRows, int sourceColumns, int taps, const int *dh,
                  const int *dw, uint16_t *masks);

/// Output channels are processed in ceil(OC / 8) balanced blocks of at most 8 (11 = 6 + 5, 45 = 8+8+8+7+7+7).
int pk_output_blocks(int OC);
/// First output channel and size of block b.
void pk_output_block(int OC, int b, int *first, int *count);

/// Floats in packed weights for OC outputs, C inputs and T taps: ceil(OC / 8) * 8 * T * C.
size_t pk_packed_weight_count(int OC, int C, int taps);
/// Packs w [A, B, KK] (PyTorch OIHW with KK = KH*KW) for pk_conv_forward: per output block (pk_output_block),
/// [T][C][8] (rows zero-padded past the block's size), tap t taking w's tap weightTaps[t]. transpose = 0: outputs are A, inputs B
/// (forward). transpose = 1: outputs are B, inputs A: the adjoint conv that maps dY to dX.
void pk_pack_weights(const float *w, int A, int B, int KK, int transpose, int taps, const int *weightTaps, float *packed);

/// y[o*ys + p] = act(sum_{c,t} w[o, c, t] x[c*xs + p + offsets[t]] + bias[o] + residual[o*ys + p]) for
/// 0 <= p < pixels; bias [OC] or NULL, residual or NULL, relu 0/1; y overwritten.
void pk_conv_forward(const float *x, long xs, int C, long pixels, int taps, const long *offsets, const uint16_t *masks,
                     const float *packed, int OC, const float *bias, const float *residual, int relu, float *y, long ys);

/// Column-sparse weights (kept im2col columns only): tap t keeps input channels channels[starts[t]..<starts[t+1]]
/// (each tap at least one). Packs w [OC, C, KK] per output block as [kept column][8], columns in tap order:
/// ceil(OC / 8) * 8 * starts[taps] floats.
void pk_pack_weights_columns(const float *w, int OC, int C, int KK, int taps, const int *weightTaps, const int *starts,
                             const int *channels, float *packed);
/// pk_conv_forward over the kept columns only: y[o*ys + p] = act(sum_t sum_{k in tap t} w[o, k] x[channels[k]*xs + p +
/// offsets[t]] + bias[o] + residual[o*ys + p]); weights from pk_pack_weights_columns. With taps = 0 (nothing kept),
/// y = act(bias + residual).
void pk_conv_forward_columns(const float *x, long xs, long pixels, int taps, const long *offsets, const uint16_t *masks,
                             const int *starts, const int *channels, const float *packed, int OC, const float *bias,
                             const float *residual, int relu, float *y, long ys);

/// dw[o, c, weightTaps[t]] += sum_n sum_p dy[n, o, p] * x[n, c, p + offsets[t]] (masked), dw [OC, C, KKw]. Image n,
/// channel c of x at x + n*xImage + c*xPlane (likewise dy); pixels per image plane as in pk_conv_forward.
void pk_conv_weight_gradient(const float *x, long xImage, long xPlane, const float *dy, long dyImage, long dyPlane,
                             int images, int C, long pixels, int taps, const long *offsets, const uint16_t *masks,
                             const int *weightTaps, int KKw, int OC, float *dw);

/// y[rows[o]*ys + p] += sum_{c,t} w[o, c, t] x[c*xs + p + offsets[t]] for 0 <= o < OC (masked as pk_conv_forward; no
/// bias, no activation): the input gradient of a column-sparse conv, one tap at a time, into the dX rows that keep it.
void pk_conv_accumulate_rows(const float *x, long xs, int C, long pixels, int taps, const long *offsets,
                             const uint16_t *masks, const float *packed, int OC, const int *rows, float *y, long ys);
/// Packs the adjoint of one weight tap for pk_conv_accumulate_rows: outputs are the `count` input channels rows[0..count)
/// of w [OC, C, KK], inputs the OC output channels: per output block (pk_output_block(count, ...)), [OC][8] floats
/// w[o, rows[j], tap].
void pk_pack_weights_adjoint_rows(const float *w, int OC, int C, int KK, int tap, int count, const int *rows, float *packed);

/// pk_conv_weight_gradient for kept columns only: segment s covers tap segmentTaps[s] and input channels
/// channels[segmentStarts[s]..<segmentStarts[s + 1]] (1 to 5 of them); entries of dw outside the segments are untouched.
void pk_conv_weight_gradient_columns(const float *x, long xImage, long xPlane, const float *dy, long dyImage, long dyPlane,
                                     int images, int C, long pixels, int taps, const long *offsets, const uint16_t *masks,
                                     const int *weightTaps, int KKw, int OC, int segments, const int *segmentTaps,
                                     const int *segmentStarts, const int *channels, float *dw);

/// G images x [G, C, H, W] (NCHW, contiguous) into the stacked phase layout: channel c at out + c*cs, phase
/// f = a*S + b at f*G*R*Q within it (R = H/S, Q = W/S), image i at i*R*Q; only phases whose bit is set in
/// `phases` are written.
void pk_gather_phases(const float *x, int G, int C, int H, int W, int S, unsigned phases, float *out, long cs);
/// The inverse: every phase of the stacked layout `in` back into x [G, C, H, W].
void pk_scatter_phases(const float *in, long cs, int G, int C, int H, int W, int S, float *x);
/// One image y [C, R, V] (compact rows of V floats) into planes of R rows with pitch Q >= V at out + c*cs, the
/// Q - V extra columns of each row zeroed.
void pk_expand_rows(const float *y, int C, int R, int V, int Q, float *out, long cs);
/// The inverse: the first V columns of each pitched row back into y [C, R, V].
void pk_compact_rows(const float *in, long cs, int C, int R, int V, int Q, float *y);
/// Column phases of one image for an unpadded stride-1 conv with KW kernel columns: phase b of channel c (at
/// out + c*cs + b*H*V, V = W - KW + 1) holds x[c, r, q + b] for q < V, rows of V floats with no dead lanes.
void pk_gather_columns(const float *x, int C, int H, int W, int KW, float *out, long cs);
/// Its adjoint: x[c, r, w] = sum over phases b with 0 <= w - b < V of in[c*cs + b*H*V + r*V + w - b] (x overwritten).
void pk_scatter_columns(const float *in, long cs, int C, int H, int W, int KW, float *x);

/// im2col of one image for a stride-1 convolution with padding P: cols[(c*KH + kh)*KW + kw, oh*OW + ow] =
/// x[c, oh - P + kh, ow - P + kw], 0 outside; x [C, H, W], OH = H + 2P - KH + 1, OW likewise (Im2Col.c).
void pk_im2col_stride1(const float *x, int C, int H, int W, int KH, int KW, int P, float *cols);
/// Its adjoint: x[c, oh - P + kh, ow - P + kw] += cols[...] for every in-image position, in im2col's order.
void pk_col2im_stride1(const float *cols, int C, int H, int W, int KH, int KW, int P, float *x);

/// Fully connected forward, y[n, o] = act(bias[o] + sum_k x[n, k] w[o, k]) with act = ReLU when relu != 0:
/// x [N, K], w [O, K], y [N, O] row-major, bias [O] or NULL; nothing packed (LinearForward.c).
void pk_linear_forward(const float *x, long N, long K, const float *w, long O, const float *bias, int relu, float *y);

/// DARB's regular-block format (RegularBlock.c; AVX-512 only: callers check pk_cpu_has_avx512). values [K] kept values,
/// offsets the bit-packed block offsets plus 8 padding bytes, valueStarts / bitStarts [R + 1] each row's first value and
/// first offset bit, blockSizes [R] (1...65535). x [N] -> y [R] (vector), x [N, J] -> y [R, J] (batch, row-major);
/// decode writes the dense [R, N] matrix.
void pk_regular_block_multiply_vector(const float *values, const uint8_t *offsets, const long *valueStarts, const long *bitStarts,
                                      const long *blockSizes, long R, const float *x, float *y);
int pk_cpu_has_avx512_vbmi(void);
void pk_regular_block_multiply_vector_vbmi(const float *values, const uint8_t *offsets, long offsetBytes, const long *valueStarts,
                                           const long *bitStarts, const long *blockSizes, long R, const float *x, float *y);
void pk_regular_block_multiply_batch(const float *values, const uint8_t *offsets, const long *valueStarts, const long *bitStarts,
                                     const long *blockSizes, long R, const float *x, long J, float *y);
void pk_regular_block_decode(const float *values, const uint8_t *offsets, const long *valueStarts, const long *bitStarts,
                             const long *blockSizes, long R, long N, float *out);

/// Nesting depth of the calling thread inside PruneKit's parallel regions: Parallel.forEachChunk enters
/// around each worker's body, and a body that is already inside one runs nested work serially (no
/// oversubscription when whole forward passes run per thread).
void pk_parallel_enter(void);
void pk_parallel_exit(void);
int pk_parallel_depth(void);

/// A chunk of a parallel job: `function(context, chunk)` for chunk in 0..<chunks (ThreadPool.c).
typedef void (*pk_chunk_function)(void *context, long chunk);

/// Runs function(context, i) for every i in 0..<chunks on the calling thread and up to threads - 1 spinning
/// pool workers (started on first use), each chunk exactly once, and returns 1 after all have finished.
/// Returns 0 without running anything when another thread is using the pool or no worker could be started.
/// Chunk bodies run with pk_parallel_depth() > 0.
int pk_pool_run(long chunks, int threads, pk_chunk_function function, void *context);

/// CPUID leaf `leaf`, sub-leaf `subleaf` into registers {EAX, EBX, ECX, EDX}; returns 1, or 0 (registers zeroed)
/// when the CPU does not report that leaf or is not x86.
int pk_cpuid(unsigned leaf, unsigned subleaf, unsigned registers[4]);
/// XCR0 (the register states the OS saves: bit 1 XMM, 2 YMM, 5-7 AVX-512), or 0 without OSXSAVE or off x86.
unsigned long long pk_xgetbv0(void);
/// Runs a chain of dependent integer adds (one per cycle) on `threads` threads at once (1...256) for `seconds` of
/// wall time and writes each thread's adds per nanosecond, i.e. its effective clock in GHz, to gigahertz[0..<threads].
/// Returns the number of threads that ran (off x86-64 their rates are 0).
int pk_probe_clock(int threads, double seconds, double *gigahertz);
/// Runs, on `threads` threads at once for `seconds`, 12 independent chains of the widest FMA (AVX-512F, else AVX2 + FMA)
/// alternating with the dependent-add clock chain, and writes each thread's fp32 FLOP per cycle (FMA FLOP/s over adds/s)
/// to flopsPerCycle[0..<threads]: the datapath as measured, whatever CPUID claims (a hypervisor may report an older
/// family), shared FMA pipes of SMT siblings included. Returns the number of threads that ran (0 without FMA or off x86-64).
int pk_probe_fma(int threads, double seconds, double *flopsPerCycle);

#endif
