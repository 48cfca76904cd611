// Row kernels on half bits (half.cc): bfloat16 or float16 in, float32 arithmetic, half out rounded to nearest even.
#pragma once
#include <cstdint>

namespace loom {

// Each kernel reads bfloat16 bits, or float16 ones where f16, widened exactly as it reads them.

/** out[i] = half(gelu(x[i])) (reference/gelu.ts geluForward on the widened values, the result rounded). */
void gelu_forward_half(bool f16, uint16_t* out, const uint16_t* x, long n, bool tanh_approx, int threads);
/** dx[i] = half(dy[i]·gelu'(x[i])) (reference/gelu.ts geluBackward on the widened values, rounded). */
void gelu_backward_half(bool f16, uint16_t* dx, const uint16_t* dy, const uint16_t* x, long n, bool tanh_approx, int threads);

/** out[i] = a[i] op widen(b[i]) (or widen(b[i]) op a[i] when swapped), op 0 add, 1 sub, 2 mul, 3 div: rows.cc binary on a widened b. */
void binary_mixed_half(bool f16, int op, float* out, const float* a, const uint16_t* b, long n, bool swapped, int threads);
/** out[j] = Σ_r widen(x[r·cols + j]) in rows.cc sum_columns' order (so the same bits as summing a widened copy). */
void sum_columns_half(bool f16, float* out, const uint16_t* x, long rows, long cols, int threads);

/** rows.cc cross_entropy_forward on half logits (widened as read; the same bits as on a widened copy). */
void cross_entropy_forward_half(bool f16, double* lse, double* nll, double* smooth, const uint16_t* logits, const int32_t* targets,
                                const float* weight, long rows, long classes, int32_t ignore_index, int threads);
/** rows.cc cross_entropy_backward on half logits, each float32 gradient rounded once into half dlogits. */
void cross_entropy_backward_half(bool f16, uint16_t* dlogits, const uint16_t* logits, const int32_t* targets, const float* weight,
                                 const double* lse, const double* g_nll, const double* g_smooth, long rows, long classes,
                                 int32_t ignore_index, int threads);

/**
 * LayerNorm and softmax on half tensors (bf16, or float16 where f16): the float32 kernels (rows.cc) run
 * on REDUCE_CHUNK_ROWS rows at a time widened into per-thread buffers, their outputs rounded once — the
 * bits of the float32 op on widened copies, dw/db included (same chunk partials in the same order) —
 * with no float32 copy of a whole tensor. Weights are half ([cols] or null); mean/rstd/dw/db float32.
 */
void layernorm_forward_half(bool f16, uint16_t* out, float* mean, float* rstd, const uint16_t* x, const uint16_t* w, const uint16_t* b,
                            long rows, long cols, float eps, int threads);
void layernorm_backward_half(bool f16, uint16_t* dx, float* dw, float* db, const uint16_t* dy, const uint16_t* x, const float* mean,
                             const float* rstd, const uint16_t* w, long rows, long cols, int threads);
/** softmax/logSoftmax rows of x; the backward recomputes the float32 output from x (the bits the float32 op saved). */
void softmax_forward_half(bool f16, uint16_t* out, const uint16_t* x, long rows, long cols, bool log, int threads);
void softmax_backward_half(bool f16, uint16_t* dx, const uint16_t* dy, const uint16_t* x, long rows, long cols, bool log, int threads);

}  // namespace loom
