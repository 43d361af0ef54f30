// DARB's regular-block format read directly by AVX-512 kernels (the Swift loops in RegularBlockMatrix+Kernels.swift
// are the portable fallback and the reference).
//
// Legend: R rows, N columns, J batch, b block size of a row, o = ceil(log2 b) offset bits, B = ceil(N / b) blocks of
// the row. values: the row's B kept values; offsets: one bit stream, offset k of the row at bit p = rowBit + k o.
// X is [N, J] row-major, Y is [R, J].
//
// An offset is read with one unaligned 64-bit load at byte p / 8, shifted by p % 8 and masked to o bits (7 + 16 bits fit;
// the stream's 8 padding bytes keep the load inside the buffer). Columns are base + k b + offset_k, independent of each
// other (no running sum, unlike relative indices), so the loads and stores of consecutive blocks issue back to back.
// Measured on this Zen 5 (LeNet-5 fc1, 500 x 800 at 13x): decoding 16 offsets with a vpgatherdd and then gathering x
// (multiply) or scattering values (decode) was slower than these scalar loads (batch 1: 0.034 vs 0.025 ms; decode:
// 0.055 vs 0.043 ms): AMD microcodes gathers and scatters. With AVX-512 VBMI, batch 1 instead takes 16 offsets from one
// masked 64-byte load and a byte permute (no offset gather), then gathers x: 0.013 vs 0.024 ms at 25x. Batch J > 1
// keeps 64 outputs of a row in four zmm registers and streams X's rows through them.
#include "PruneKitKernels.h"
#include <immintrin.h>
#include <string.h>

#define PK_TARGET __attribute__((target("avx512f")))
#define PK_INLINE static inline __attribute__((always_inline))

static int pk_offset_bits(long b) {
    int bits = 0;
    while ((1L << bits) < b) bits++;
    return bits;
}

/// The scalar offset at bit `position`.
PK_INLINE long offset1(const uint8_t *offsets, long position, uint64_t mask) {
    uint64_t word;
    memcpy(&word, offsets + (position >> 3), 8);
    return (long)((word >> (position & 7)) & mask);
}

PK_TARGET void pk_regular_block_multiply_vector(const float *values, const uint8_t *offsets, const long *valueStarts, const long *bitStarts,
                                                const long *blockSizes, long R, const float *x, float *y) {
    for (long r = 0; r < R; r++) {
        const long b = blockSizes[r], count = valueStarts[r + 1] - valueStarts[r];
        const int bits = pk_offset_bits(b);
        const float *v = values + valueStarts[r];
        __m512 sum = _mm512_setzero_ps();
        if (b == 1) {  // a dense row
            long k = 0;
            for (; k + 16 <= count; k += 16) sum = _mm512_fmadd_ps(_mm512_loadu_ps(v + k), _mm512_loadu_ps(x + k), sum);
            __mmask16 tail = (__mmask16)((1u << (count - k)) - 1);
            sum = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, v + k), _mm512_maskz_loadu_ps(tail, x + k), sum);
            y[r] = _mm512_reduce_add_ps(sum);
        } else {
            const uint64_t mask = (1ull << bits) - 1;
            long position = bitStarts[r], base = 0, k = 0;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; k + 4 <= count; k += 4, position += 4 * bits, base += 4 * b) {
                s0 += v[k] * x[base + offset1(offsets, position, mask)];
                s1 += v[k + 1] * x[base + b + offset1(offsets, position + bits, mask)];
                s2 += v[k + 2] * x[base + 2 * b + offset1(offsets, position + 2 * bits, mask)];
                s3 += v[k + 3] * x[base + 3 * b + offset1(offsets, position + 3 * bits, mask)];
            }
            // Four sums: independent chains for the out-of-order core.
            for (; k < count; k++, position += bits, base += b) s0 += v[k] * x[base + offset1(offsets, position, mask)];
            y[r] = (s0 + s1) + (s2 + s3);
        }
    }
}

#define PK_TARGET_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))

int pk_cpu_has_avx512_vbmi(void) {
    return pk_cpu_has_avx512() && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
}

/// Batch 1 with 16 offsets per step and no offset gather: the (at most 33) bytes holding them are loaded once (masked,
/// so nothing past the stream is touched), vpermb gives lane j the 4 bytes from byte q_j / 8, a variable shift and a
/// mask finish them; only x is gathered.
PK_TARGET_VBMI void pk_regular_block_multiply_vector_vbmi(const float *values, const uint8_t *offsets, long offsetBytes, const long *valueStarts,
                                                          const long *bitStarts, const long *blockSizes, long R, const float *x, float *y) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i byteInWord = _mm512_set1_epi32(0x03020100), spread = _mm512_set1_epi32(0x01010101);
    for (long r = 0; r < R; r++) {
        const long b = blockSizes[r], count = valueStarts[r + 1] - valueStarts[r];
        const int bits = pk_offset_bits(b);
        const float *v = values + valueStarts[r];
        __m512 sum = _mm512_setzero_ps();
        if (b == 1) {
            long k = 0;
            for (; k + 16 <= count; k += 16) sum = _mm512_fmadd_ps(_mm512_loadu_ps(v + k), _mm512_loadu_ps(x + k), sum);
            __mmask16 tail = (__mmask16)((1u << (count - k)) - 1);
            sum = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, v + k), _mm512_maskz_loadu_ps(tail, x + k), sum);
        } else {
            const __m512i laneBits = _mm512_mullo_epi32(lane, _mm512_set1_epi32(bits));
            const __m512i laneColumns = _mm512_mullo_epi32(lane, _mm512_set1_epi32((int)b));
            const __m512i mask = _mm512_set1_epi32((1 << bits) - 1);
            long position = bitStarts[r], base = 0;
            for (long k = 0; k < count; k += 16) {
                __mmask16 lanes = count - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (count - k)) - 1);
                long first = position >> 3, available = offsetBytes + 8 - first;
                __mmask64 load = available >= 64 ? ~0ull : ((1ull << available) - 1);
                __m512i bytes = _mm512_maskz_loadu_epi8(load, offsets + first);
                __m512i bit = _mm512_add_epi32(_mm512_set1_epi32((int)(position & 7)), laneBits);
                __m512i index = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_srli_epi32(bit, 3), spread), byteInWord);
                __m512i words = _mm512_permutexvar_epi8(index, bytes);
                __m512i offset = _mm512_and_si512(_mm512_srlv_epi32(words, _mm512_and_si512(bit, _mm512_set1_epi32(7))), mask);
                __m512i columns = _mm512_add_epi32(_mm512_add_epi32(_mm512_set1_epi32((int)base), laneColumns), offset);
                __m512 xs = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), lanes, columns, x, 4);
                sum = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(lanes, v + k), xs, sum);
                position += 16 * bits;
                base += 16 * b;
            }
        }
        y[r] = _mm512_reduce_add_ps(sum);
    }
}

/// Y[r, j0 .. j0 + 64) in four zmm accumulators over all blocks of row r (masked for J - j0 < 64).
PK_TARGET PK_INLINE void row_batch64(const float *v, const uint8_t *offsets, long position, long b, int bits, long count, const float *x,
                                     long J, long j0, float *out) {
    __mmask16 m[4];
    for (int i = 0; i < 4; i++) {
        long left = J - j0 - 16 * i;
        m[i] = left >= 16 ? (__mmask16)0xffff : left <= 0 ? 0 : (__mmask16)((1u << left) - 1);
    }
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const uint64_t mask = (1ull << bits) - 1;
    long base = 0;
    for (long k = 0; k < count; k++, position += bits, base += b) {
        const float *row = x + (base + offset1(offsets, position, mask)) * J + j0;
        __m512 value = _mm512_set1_ps(v[k]);
        a0 = _mm512_fmadd_ps(value, _mm512_maskz_loadu_ps(m[0], row), a0);
        a1 = _mm512_fmadd_ps(value, _mm512_maskz_loadu_ps(m[1], row + 16), a1);
        a2 = _mm512_fmadd_ps(value, _mm512_maskz_loadu_ps(m[2], row + 32), a2);
        a3 = _mm512_fmadd_ps(value, _mm512_maskz_loadu_ps(m[3], row + 48), a3);
    }
    _mm512_mask_storeu_ps(out + j0, m[0], a0);
    _mm512_mask_storeu_ps(out + j0 + 16, m[1], a1);
    _mm512_mask_storeu_ps(out + j0 + 32, m[2], a2);
    _mm512_mask_storeu_ps(out + j0 + 48, m[3], a3);
}

PK_TARGET void pk_regular_block_multiply_batch(const float *values, const uint8_t *offsets, const long *valueStarts, const long *bitStarts,
                                               const long *blockSizes, long R, const float *x, long J, float *y) {
    for (long r = 0; r < R; r++) {
        const long b = blockSizes[r];
        for (long j0 = 0; j0 < J; j0 += 64) {
            row_batch64(values + valueStarts[r], offsets, bitStarts[r], b, pk_offset_bits(b), valueStarts[r + 1] - valueStarts[r], x, J, j0, y + r * J);
        }
    }
}

PK_TARGET void pk_regular_block_decode(const float *values, const uint8_t *offsets, const long *valueStarts, const long *bitStarts,
                                       const long *blockSizes, long R, long N, float *out) {
    memset(out, 0, sizeof(float) * (size_t)R * (size_t)N);
    for (long r = 0; r < R; r++) {
        const long b = blockSizes[r], count = valueStarts[r + 1] - valueStarts[r];
        const float *v = values + valueStarts[r];
        float *row = out + r * N;
        if (b == 1) { memcpy(row, v, sizeof(float) * (size_t)count); continue; }
        // One unaligned 64-bit load per offset: each column is independent of the others, so these stores issue
        // back to back (measured faster than gathering 16 offsets and scattering, which AMD microcodes).
        const int bits = pk_offset_bits(b);
        const uint64_t mask = (1ull << bits) - 1;
        long position = bitStarts[r], base = 0;
        for (long k = 0; k < count; k++, position += bits, base += b) row[base + offset1(offsets, position, mask)] = v[k];
    }
}
