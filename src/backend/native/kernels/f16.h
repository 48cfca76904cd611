// float32 ↔ float16 rows on the F16C conversions, bit for bit with io/half.ts (itself checked against
// PyTorch for every pattern). VCVTPS2PH with imm 0 rounds to nearest even, into binary16 subnormals and
// up to ±Inf (MXCSR's DAZ/FTZ do not apply to it); VCVTPH2PS is exact and quiets a NaN keeping its
// payload, as f16BitsToF32Bits. The one difference is a float32 NaN: VCVTPS2PH keeps its top payload
// bits where torch gives sign | 0x7E00, so NaN lanes are rewritten. Internal linkage, as parallel.h:
// each instruction set's translation unit keeps its own copy.
#pragma once
#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace loom {
namespace {

/** float16 bits of v rounded to nearest even; NaN as sign | 0x7e00. */
inline uint16_t f32_to_f16(float v) {
  if (v != v) {
    uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return static_cast<uint16_t>(((u >> 16) & 0x8000u) | 0x7e00u);
  }
  return static_cast<uint16_t>(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT));
}

/** out[i] = f32_to_f16(x[i]) for i < n, eight at a time. */
inline void narrow_f16_row(uint16_t* out, const float* x, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)) != 0)
      for (long j = i; j < i + 8; j++) out[j] = f32_to_f16(x[j]);
  }
  for (; i < n; i++) out[i] = f32_to_f16(x[i]);
}

/** out[i] = the float32 value of float16 bits x[i] (exact) for i < n. */
inline void widen_f16_row(float* out, const uint16_t* x, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i))));
  for (; i < n; i++) out[i] = _cvtsh_ss(x[i]);
}

}  // namespace
}  // namespace loom
