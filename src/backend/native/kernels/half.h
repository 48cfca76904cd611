// Row kernels on bfloat16 bits (half.cc): bf16 in, float32 arithmetic, bf16 out rounded to nearest even.
#pragma once
#include <cstdint>

namespace loom {

/** out[i] = bf16(gelu(x[i])) (reference/gelu.ts geluForward on the widened values, the result rounded). */
void gelu_forward_bf16(uint16_t* out, const uint16_t* x, long n, bool tanh_approx, int threads);
/** dx[i] = bf16(dy[i]·gelu'(x[i])) (reference/gelu.ts geluBackward on the widened values, rounded). */
void gelu_backward_bf16(uint16_t* dx, const uint16_t* dy, const uint16_t* x, long n, bool tanh_approx, int threads);

}  // namespace loom
