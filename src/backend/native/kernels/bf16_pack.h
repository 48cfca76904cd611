// The pieces both bf16 GEMMs pack their operands with (amx.cc, bf16.cc): lane masks for ragged edges,
// the index vector that interleaves two rows of bf16 into (x[j], y[j]) pairs, and a 16×16 transpose of
// 32-bit words (a row of bf16 pairs read as words is one register; the transpose turns row-major pairs
// into the column-major order the tiles and dot products read); and a vector round_to_bf16 for bf16.cc's
// results. Internal linkage; the vector functions
// carry their own target attribute, as amx.cc is not compiled with AVX-512 flags.
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace loom {
namespace {

/** Lanes [0, n) of a 32-lane (16-bit) or 16-lane (32-bit) mask; n may exceed the width or be ≤ 0. */
inline __mmask32 mask32(long n) { return n >= 32 ? ~__mmask32{0} : n <= 0 ? 0 : (__mmask32{1} << n) - 1; }
inline __mmask16 mask16(long n) { return n >= 16 ? __mmask16{0xffff} : n <= 0 ? 0 : static_cast<__mmask16>((1u << n) - 1); }

/** round_to_bf16 (bf16.h) of 16 floats at once: (u + 0x7fff + lsb) >> 16, every NaN to 0xffff. */
__attribute__((target("avx512f"))) inline __m256i round_to_bf16x16(__m512 v) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  const __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), lsb), 16);
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)), _mm512_set1_epi32(0x7f800000));
  return _mm512_cvtepi32_epi16(_mm512_mask_mov_epi32(r, nan, _mm512_set1_epi32(0xffff)));
}

/** 16-bit lane indices that interleave two 32-lane vectors x, y into (x[j], y[j]) pairs: j in [0, 16) (low) or [16, 32) (high). */
__attribute__((target("avx512f"))) inline __m512i pair_index(bool high) {
  alignas(64) uint16_t idx[32];
  for (int j = 0; j < 16; j++) {
    idx[2 * j] = static_cast<uint16_t>(j + (high ? 16 : 0));
    idx[2 * j + 1] = static_cast<uint16_t>(32 + j + (high ? 16 : 0));
  }
  return _mm512_load_si512(idx);
}

/**
 * Transposes 16×16 32-bit words held as r[0..15] (row i in r[i]) in place: 32-bit then 64-bit
 * interleaves give 4×4 transposes inside each 128-bit lane, then two 128-bit lane shuffles move the
 * 4×4 blocks.
 */
__attribute__((target("avx512f"))) inline void transpose16x16(__m512i r[16]) {
  __m512i t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
    r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
    r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
    r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  // r[4g + j], 128-bit lane L: column 4L + j of rows 4g..4g+3; gather lane L of r[j], r[4 + j], r[8 + j], r[12 + j].
  for (int j = 0; j < 4; j++) {
    const __m512i x0 = _mm512_shuffle_i32x4(r[j], r[4 + j], 0x44), x1 = _mm512_shuffle_i32x4(r[j], r[4 + j], 0xee);
    const __m512i y0 = _mm512_shuffle_i32x4(r[8 + j], r[12 + j], 0x44), y1 = _mm512_shuffle_i32x4(r[8 + j], r[12 + j], 0xee);
    t[j] = _mm512_shuffle_i32x4(x0, y0, 0x88);
    t[4 + j] = _mm512_shuffle_i32x4(x0, y0, 0xdd);
    t[8 + j] = _mm512_shuffle_i32x4(x1, y1, 0x88);
    t[12 + j] = _mm512_shuffle_i32x4(x1, y1, 0xdd);
  }
  for (int i = 0; i < 16; i++) r[i] = t[i];
}

}  // namespace
}  // namespace loom
