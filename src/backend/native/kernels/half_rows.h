// float32 ↔ half values and rows, bit for bit with io/half.ts, in one place for the conversion kernels (rows.cc),
// the half row kernels (half.cc) and attention's widened blocks (attention.cc): bfloat16 widens by a
// shift and rounds by round_to_bf16 (bf16.h), float16 goes through F16C (f16.h). Internal linkage, as
// f16.h: each instruction set's translation unit keeps its own copy.
#pragma once
#include <cstdint>
#include <cstring>
#include <immintrin.h>

#include "bf16.h"
#include "f16.h"

namespace loom {
namespace {

/** The float32 value of half bits h: bfloat16 (a 16-bit shift), or float16 where F16 (exact). */
template <bool F16>
inline float widen(uint16_t h) {
  if constexpr (F16) {
    return _cvtsh_ss(h);
  } else {
    uint32_t u = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
  }
}

/** out[i] = the float32 value of bfloat16 bits x[i] (exact: the bits shifted up) for i < n. */
inline void widen_bf16_row(float* out, const uint16_t* x, long n) {
  for (long i = 0; i < n; i++) {
    const uint32_t u = static_cast<uint32_t>(x[i]) << 16;
    std::memcpy(out + i, &u, sizeof u);
  }
}

/** out[i] = round_to_bf16(x[i]) for i < n. */
inline void narrow_bf16_row(uint16_t* out, const float* x, long n) {
  for (long i = 0; i < n; i++) out[i] = round_to_bf16(x[i]);
}

/** A row of half bits widened exactly: bfloat16, or float16 where f16. */
inline void widen_half_row(bool f16, float* out, const uint16_t* x, long n) {
  if (f16) widen_f16_row(out, x, n);
  else widen_bf16_row(out, x, n);
}

/** A float32 row rounded once to half bits: bfloat16, or float16 where f16. */
inline void narrow_half_row(bool f16, uint16_t* out, const float* x, long n) {
  if (f16) narrow_f16_row(out, x, n);
  else narrow_bf16_row(out, x, n);
}

}  // namespace
}  // namespace loom
