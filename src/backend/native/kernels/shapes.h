// Argument bundles shared by the per-ISA kernels and the Node-API glue.
#pragma once
#include <cstdint>

namespace loom {

/** One (possibly batched) product out[b] = op(A[b])·op(B[b]) (+ bias | + out); see backend.ts MatmulLayout. */
struct GemmArgs {
  const float* a;
  const float* b;
  float* c;          // contiguous [batch, m, n]
  const float* bias; // [n] or null
  long batch, m, n, k;
  long lda, ldb;     // elements between stored rows of A and of B
  long stride_a, stride_b;  // elements between batch matrices (0 broadcasts)
  bool trans_a, trans_b, accumulate;
};

/**
 * A GemmArgs product of half operands (bfloat16 or float16 bits in uint16, by the kernel called):
 * float32 products and sums from the float32 bias, written as float32 (out_f32) or rounded once to the
 * operands' format (out_half; accumulate is then not allowed): exactly one of the two is non-null.
 * The layout fields are backend.ts MatmulLayout's, the operand pointers already offset.
 */
struct HalfGemmArgs {
  const uint16_t* a;
  const uint16_t* b;
  float* out_f32;      // contiguous [batch, m, n], or null
  uint16_t* out_half;  // contiguous [batch, m, n], or null
  const float* bias;   // [n] or null: every row starts as the bias
  long batch, m, n, k;
  long lda, ldb;            // elements between stored rows of A and of B
  long stride_a, stride_b;  // elements between batch matrices (0 broadcasts)
  bool trans_a, trans_b, accumulate;
};

/**
 * Rows per partial sum of the column reductions (LayerNorm's dw/db, sum_columns): each fixed chunk sums
 * into its own partial and the partials are added in chunk order, so the bits do not depend on the
 * thread count — and a kernel that runs the float32 one chunk by chunk (half.cc) keeps them.
 */
constexpr long REDUCE_CHUNK_ROWS = 64;

struct AdamWArgs {
  float lr, beta1, beta2, eps, weight_decay;
  double step_size, bias_correction2_sqrt;
  bool decoupled, maximize;
};

}  // namespace loom

namespace loom {

/**
 * [N, rows, cols] rows read or written in place: row r of block n at data + offsets[n] + r·stride, and
 * the same in `half` (bfloat16 bits, or float16 ones in an attention call with `f16`) where that is
 * set: an operand is read from one of the two (the half one widened), a result written to each that is
 * set (rounded once into `half`).
 */
struct RowsRef {
  float* data;
  const int32_t* offsets;
  long stride;
  uint16_t* half = nullptr;
};

/** Fused attention call (reference/attention.ts AttentionSizes and operands, float32, no ALiBi). */
struct AttentionArgs {
  long n, t, s, d, dv;
  float scale;
  bool causal;
  long causal_offset;
  float dropout;
  uint32_t seed0, seed1;
  bool f16;  // the half rows hold float16 bits (else bfloat16)
  // bfloat16 q, k, v (and dOut) multiplied as bf16 (vdpbf16ps), P̃ and dS rounded to bf16 before their
  // products; else half operands are widened and the products are float32
  bool bf16_products;
  RowsRef q, k, v;
  // mask: element (n, i, j) at mask_offsets[n] + i·mask_stride_t + j·mask_stride_s; null for none
  const uint8_t* mask_bool;
  const float* mask_add;
  const int32_t* mask_offsets;
  long mask_stride_t, mask_stride_s;
  // forward: out, lse; backward: dOut, out, lse and the gradients (any may have data null)
  RowsRef out, d_out, dq, dk, dv_grad;
  double* lse;
};

}  // namespace loom
