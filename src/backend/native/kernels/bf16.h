// bf16 GEMM on AVX-512 BF16 (vdpbf16ps: two bf16 products per fp32 lane), compiled with -mavx512bf16
// and called only where the CPU has it.
#pragma once
#include <cstdint>

namespace loom {

bool bf16_supported();
/** out[m,n] (+)= A[m,k]·op(B), A row-major [m,k] and B [k,n] (or [n,k] with trans_b) holding bfloat16 bits. */
void gemm_bf16(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate, int threads);

/** Whether the CPU has AMX-BF16 and the OS granted this process the tile state (asked once). */
bool amx_supported();
/** As gemm_bf16, on AMX tiles (call only where amx_supported()). */
void gemm_bf16_amx(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate, int threads);

}  // namespace loom
