// Declarations of the kernels compiled once per instruction set. This header is included once per set
// by module.cc (with LOOM_ISA defined as avx512 or avx2 before each inclusion) and by each per-ISA
// source under its own -DLOOM_ISA, so every set gets the same functions in its own namespace.
// Arrays are float32 unless named otherwise; pointers may be null where the Backend method allows.
#include <cstdint>

#include "shapes.h"

namespace loom {
namespace LOOM_ISA {

void gemm_f32(const GemmArgs& g, int threads);
/** gemm_f32 on float16 operands widened block by block while packing: the bits gemm_f32 gives on widened copies. */
void gemm_f16(const HalfGemmArgs& g, int threads);

void attention_forward(const AttentionArgs& a, int threads);
void attention_backward(const AttentionArgs& a, int threads);
void lstm_forward(float* h, float* c, float* gates, float* tanh_c, const float* xg, const float* hg, const float* c_prev,
                  const float* peephole, bool coupled, long batch, long hidden);
void lstm_backward(float* d_pre, float* dc_prev, float* d_peephole, const float* dh, const float* dc, const float* gates,
                   const float* c_prev, const float* c, const float* tanh_c, const float* peephole, bool coupled, long batch, long hidden);
void gru_forward(float* h, float* gates, const float* xg, const float* hg, const float* h_prev, long batch, long hidden);
void gru_backward(float* dxg, float* dhg, float* dh_prev, const float* dh, const float* gates, const float* hg, const float* h_prev,
                  long batch, long hidden);
void rnn_forward(float* h, const float* xg, const float* hg, bool relu, long n);
void rnn_backward(float* d_pre, const float* dh, const float* h, bool relu, long n);
void gelu_forward(float* out, const float* x, long n, bool tanh_approx, int threads);
void gelu_backward(float* dx, const float* dy, const float* x, long n, bool tanh_approx, int threads);
/** bfloat16 bits of x rounded to nearest even, NaN as 0xffff (io/half.ts float32ToBFloat16). */
void to_bf16(uint16_t* out, const float* x, long n, int threads);
/** float32 of bfloat16 bits (exact). */
void from_bf16(float* out, const uint16_t* x, long n, int threads);
/** float16 bits of x rounded to nearest even, NaN as sign | 0x7e00 (io/half.ts float32ToFloat16). */
void to_f16(uint16_t* out, const float* x, long n, int threads);
/** float32 of float16 bits (exact; io/half.ts float16ToFloat32). */
void from_f16(float* out, const uint16_t* x, long n, int threads);
/** out[i] = x[i]·z_i with the counter-based dropout mask of (seed0, seed1) (reference/dropout.ts). */
void dropout(float* out, const float* x, long n, double p, uint32_t seed0, uint32_t seed1, int threads);
void layernorm_forward(float* out, float* mean, float* rstd, const float* x, const float* w, const float* b, long rows, long cols,
                       float eps, int threads);
void layernorm_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* mean, const float* rstd,
                        const float* w, long rows, long cols, int threads);
void rmsnorm_forward(float* out, float* rstd, const float* x, const float* w, long rows, long cols, float eps, int threads);
void rmsnorm_backward(float* dx, float* dw, const float* dy, const float* x, const float* rstd, const float* w, long rows, long cols);
void softmax_forward(float* out, const float* x, long rows, long cols, bool log, int threads);
void softmax_backward(float* dx, const float* dy, const float* y, long rows, long cols, bool log, int threads);
void cross_entropy_forward(double* lse, double* nll, double* smooth, const float* logits, const int32_t* targets,
                           const float* weight, long rows, long classes, int32_t ignore_index, int threads);
void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, const float* weight, const double* lse,
                            const double* g_nll, const double* g_smooth, long rows, long classes, int32_t ignore_index, int threads);
void adamw_update(float* param, const float* grad, float* m, float* v, float* vmax, long n, const AdamWArgs& h);
/** op: 0 add, 1 sub, 2 mul, 3 div (reference/elementwise.ts BinaryOp order for those four). */
void binary(int op, float* out, const float* a, const float* b, long n, int threads);
void binary_scalar(int op, float* out, const float* a, float y, long n);
void binary_rows(int op, float* out, const float* full, const float* block, long rows, long cols, bool swapped);
double sum(const float* x, long n);
void sum_rows(float* out, const float* x, long rows, long cols);
void sum_columns(float* out, const float* x, long rows, long cols, int threads);
void embedding_forward(float* out, const float* weight, const int32_t* ids, long n, long dim);
void embedding_backward(float* dweight, const float* dout, const int32_t* ids, long n, long dim, long padding_idx);

}  // namespace LOOM_ISA
}  // namespace loom
