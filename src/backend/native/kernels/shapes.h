// Argument bundles shared by the per-ISA kernels and the Node-API glue.
#pragma once

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

struct AdamWArgs {
  float lr, beta1, beta2, eps, weight_decay;
  double step_size, bias_correction2_sqrt;
  bool decoupled, maximize;
};

}  // namespace loom
