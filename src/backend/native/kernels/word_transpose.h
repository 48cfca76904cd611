// A 16×16 transpose of 32-bit words in AVX-512 registers, shared by the bf16 GEMMs' packing (amx.cc,
// bf16.cc): a row of bf16 pairs read as words is one register, and the transpose turns row-major
// pairs into the column-major order the tiles and dot products read. Internal linkage; the function
// carries its own target attribute, as amx.cc is not compiled with AVX-512 flags.
#pragma once
#include <immintrin.h>

namespace loom {
namespace {

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
