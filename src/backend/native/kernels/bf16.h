// bf16 GEMM on AVX-512 BF16 (vdpbf16ps: two bf16 products per fp32 lane), compiled with -mavx512bf16
// and called only where the CPU has it, and on AMX tiles (amx.cc).
#pragma once
#include <cstdint>
#include <cstring>

#include "shapes.h"

namespace loom {

/** bfloat16 bits of x, rounded to nearest even, every NaN as 0xffff (io/half.ts float32ToBFloat16). */
inline uint16_t round_to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return (u & 0x7fffffffu) > 0x7f800000u ? 0xffffu : static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

bool bf16_supported();
/** The product on vdpbf16ps (call only where bf16_supported()). */
void gemm_bf16_layout(const HalfGemmArgs& g, int threads);
/** out[m,n] (+)= A[m,k]·op(B), A row-major [m,k] and B [k,n] (or [n,k] with trans_b) holding bfloat16 bits. */
void gemm_bf16(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate, int threads);

/** Whether the CPU has AMX-BF16 and the OS granted this process the tile state (asked once). */
bool amx_supported();
/** As gemm_bf16_layout, on AMX tiles (call only where amx_supported()). */
void gemm_bf16_amx_layout(const HalfGemmArgs& g, int threads);
/** As gemm_bf16, on AMX tiles (call only where amx_supported()). */
void gemm_bf16_amx(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate, int threads);

/** The HalfGemmArgs of a single [m,k]·op(B) product into float32 out. */
inline HalfGemmArgs simple_bf16_gemm(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate) {
  return HalfGemmArgs{a, b, out, nullptr, nullptr, 1, m, n, k, k, trans_b ? k : n, 0, 0, false, trans_b, accumulate};
}

}  // namespace loom
