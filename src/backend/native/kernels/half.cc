// Row kernels on bfloat16 tensors: read bf16 operands (widening is a 16-bit shift), compute in float32
// and write bf16 results rounded once to nearest even — the bits the float32 kernel's result would
// round to, with no float32 copy of a whole operand or result. GELU and cross-entropy widen a chunk (a
// row) at a time into a per-thread buffer and run the AVX-512 float32 kernel itself on it, so their
// values are those kernels' by construction; the elementwise ops and column sums are written out
// (one IEEE operation per element; rows.cc sum_columns' order). Compiled for AVX-512 and called only
// where the native backend has a bf16 GEMM, i.e. on CPUs with AVX-512.
#include "half.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "half_rows.h"
#include "parallel.h"
#include "pool.h"

// The float32 kernels (rows.cc, compiled per instruction set), AVX-512's set.
#define LOOM_ISA avx512
#include "kernels.h"
#undef LOOM_ISA

namespace loom {

namespace {

/** Elements per chunk the GELU kernels widen at a time (16 KiB of float32: stays in L1). */
constexpr long GELU_CHUNK = 4096;

/** A per-thread float32 buffer of at least n elements (slot 0..4). */
float* thread_buffer(int slot, long n) {
  static thread_local std::vector<float> buffers[5];
  std::vector<float>& b = buffers[slot];
  if (static_cast<long>(b.size()) < n) b.resize(n);
  return b.data();
}

/** A half [n] vector widened (empty for null): the LayerNorm weight and bias, read by every row. */
std::vector<float> widened_vector(bool f16, const uint16_t* x, long n) {
  std::vector<float> out(x ? n : 0);
  if (x) widen_half_row(f16, out.data(), x, n);
  return out;
}

}  // namespace

void layernorm_forward_half(bool f16, uint16_t* out, float* mean, float* rstd, const uint16_t* x, const uint16_t* w, const uint16_t* b,
                            long rows, long cols, float eps, int threads) {
  const std::vector<float> ww = widened_vector(f16, w, cols), bw = widened_vector(f16, b, cols);
  parallel_row_chunks(rows, threads, [&](long r0, long r1) {
    const long n = (r1 - r0) * cols;
    float* xw = thread_buffer(0, n);
    float* y = thread_buffer(1, n);
    widen_half_row(f16, xw, x + r0 * cols, n);
    avx512::layernorm_forward(y, mean + r0, rstd + r0, xw, w ? ww.data() : nullptr, b ? bw.data() : nullptr, r1 - r0, cols, eps, 1);
    narrow_half_row(f16, out + r0 * cols, y, n);
  });
}

void layernorm_backward_half(bool f16, uint16_t* dx, float* dw, float* db, const uint16_t* dy, const uint16_t* x, const float* mean,
                             const float* rstd, const uint16_t* w, long rows, long cols, int threads) {
  const std::vector<float> ww = widened_vector(f16, w, cols);
  const long chunks = (rows + REDUCE_CHUNK_ROWS - 1) / REDUCE_CHUNK_ROWS;
  // One chunk per float32 call, so each call's single partial is the whole-tensor kernel's partial for
  // that chunk; they are added into dw/db in chunk order below, as that kernel adds its own.
  std::vector<float> part_w(dw ? chunks * cols : 0, 0.0f), part_b(db ? chunks * cols : 0, 0.0f);
  parallel_row_chunks(rows, threads, [&](long r0, long r1) {
    const long chunk = r0 / REDUCE_CHUNK_ROWS;
    const long n = (r1 - r0) * cols;
    float* xw = thread_buffer(0, n);
    float* g = thread_buffer(1, n);
    float* d = dx ? thread_buffer(2, n) : nullptr;
    widen_half_row(f16, xw, x + r0 * cols, n);
    widen_half_row(f16, g, dy + r0 * cols, n);
    avx512::layernorm_backward(d, dw ? part_w.data() + chunk * cols : nullptr, db ? part_b.data() + chunk * cols : nullptr, g, xw,
                               mean + r0, rstd + r0, w ? ww.data() : nullptr, r1 - r0, cols, 1);
    if (d) narrow_half_row(f16, dx + r0 * cols, d, n);
  });
  for (long chunk = 0; chunk < chunks; chunk++) {
    if (dw) for (long c = 0; c < cols; c++) dw[c] += part_w[chunk * cols + c];
    if (db) for (long c = 0; c < cols; c++) db[c] += part_b[chunk * cols + c];
  }
}

void softmax_forward_half(bool f16, uint16_t* out, const uint16_t* x, long rows, long cols, bool log, int threads) {
  parallel_row_chunks(rows, threads, [&](long r0, long r1) {
    const long n = (r1 - r0) * cols;
    float* xw = thread_buffer(0, n);
    float* y = thread_buffer(1, n);
    widen_half_row(f16, xw, x + r0 * cols, n);
    avx512::softmax_forward(y, xw, r1 - r0, cols, log, 1);
    narrow_half_row(f16, out + r0 * cols, y, n);
  });
}

void softmax_backward_half(bool f16, uint16_t* dx, const uint16_t* dy, const uint16_t* x, long rows, long cols, bool log, int threads) {
  parallel_row_chunks(rows, threads, [&](long r0, long r1) {
    const long n = (r1 - r0) * cols;
    float* xw = thread_buffer(0, n);
    float* y = thread_buffer(1, n);
    float* g = thread_buffer(2, n);
    float* d = thread_buffer(3, n);
    widen_half_row(f16, xw, x + r0 * cols, n);
    avx512::softmax_forward(y, xw, r1 - r0, cols, log, 1);
    widen_half_row(f16, g, dy + r0 * cols, n);
    avx512::softmax_backward(d, g, y, r1 - r0, cols, log, 1);
    narrow_half_row(f16, dx + r0 * cols, d, n);
  });
}

void gelu_forward_half(bool f16, uint16_t* out, const uint16_t* x, long n, bool tanh_approx, int threads) {
  parallel_ranges(n, threads, [&](long b, long e) {
    float* wide = thread_buffer(0, GELU_CHUNK);
    float* y = thread_buffer(1, GELU_CHUNK);
    for (long c = b; c < e; c += GELU_CHUNK) {
      const long len = std::min(GELU_CHUNK, e - c);
      widen_half_row(f16, wide, x + c, len);
      avx512::gelu_forward(y, wide, len, tanh_approx, 1);
      narrow_half_row(f16, out + c, y, len);
    }
  });
}

void gelu_backward_half(bool f16, uint16_t* dx, const uint16_t* dy, const uint16_t* x, long n, bool tanh_approx, int threads) {
  parallel_ranges(n, threads, [&](long b, long e) {
    float* wide = thread_buffer(0, GELU_CHUNK);
    float* g = thread_buffer(1, GELU_CHUNK);
    float* d = thread_buffer(2, GELU_CHUNK);
    for (long c = b; c < e; c += GELU_CHUNK) {
      const long len = std::min(GELU_CHUNK, e - c);
      widen_half_row(f16, wide, x + c, len);
      widen_half_row(f16, g, dy + c, len);
      avx512::gelu_backward(d, g, wide, len, tanh_approx, 1);
      narrow_half_row(f16, dx + c, d, len);
    }
  });
}

namespace {

template <bool F16>
void binary_mixed(int op, float* out, const float* a, const uint16_t* b, long n, bool swapped, int threads) {
  // Each piece reads and writes only its own range, so out may be a.
  parallel_ranges(n, threads, [&](long lo, long hi) {
    if (swapped) {
      switch (op) {
        case 0: for (long i = lo; i < hi; i++) out[i] = widen<F16>(b[i]) + a[i]; break;
        case 1: for (long i = lo; i < hi; i++) out[i] = widen<F16>(b[i]) - a[i]; break;
        case 2: for (long i = lo; i < hi; i++) out[i] = widen<F16>(b[i]) * a[i]; break;
        default: for (long i = lo; i < hi; i++) out[i] = widen<F16>(b[i]) / a[i]; break;
      }
    } else {
      switch (op) {
        case 0: for (long i = lo; i < hi; i++) out[i] = a[i] + widen<F16>(b[i]); break;
        case 1: for (long i = lo; i < hi; i++) out[i] = a[i] - widen<F16>(b[i]); break;
        case 2: for (long i = lo; i < hi; i++) out[i] = a[i] * widen<F16>(b[i]); break;
        default: for (long i = lo; i < hi; i++) out[i] = a[i] / widen<F16>(b[i]); break;
      }
    }
  });
}

template <bool F16>
void sum_columns(float* out, const uint16_t* x, long rows, long cols, int threads) {
  // rows.cc sum_columns' order exactly (REDUCE_CHUNK_ROWS-row partials added in chunk order), on widened values.
  const long chunks = (rows + REDUCE_CHUNK_ROWS - 1) / REDUCE_CHUNK_ROWS;
  std::vector<float> part(chunks * cols, 0.0f);
  parallel_row_chunks(rows, threads, [&](long r0, long r1) {
    float* dst = part.data() + r0 / REDUCE_CHUNK_ROWS * cols;
    for (long r = r0; r < r1; r++) {
      const uint16_t* xr = x + r * cols;
      for (long j = 0; j < cols; j++) dst[j] += widen<F16>(xr[j]);
    }
  });
  std::memset(out, 0, cols * sizeof(float));
  for (long chunk = 0; chunk < chunks; chunk++) {
    const float* p = part.data() + chunk * cols;
    for (long j = 0; j < cols; j++) out[j] += p[j];
  }
}

}  // namespace

void binary_mixed_half(bool f16, int op, float* out, const float* a, const uint16_t* b, long n, bool swapped, int threads) {
  if (f16) binary_mixed<true>(op, out, a, b, n, swapped, threads);
  else binary_mixed<false>(op, out, a, b, n, swapped, threads);
}

void sum_columns_half(bool f16, float* out, const uint16_t* x, long rows, long cols, int threads) {
  if (f16) sum_columns<true>(out, x, rows, cols, threads);
  else sum_columns<false>(out, x, rows, cols, threads);
}

void cross_entropy_forward_half(bool f16, double* lse, double* nll, double* smooth, const uint16_t* logits, const int32_t* targets,
                                const float* weight, long rows, long classes, int32_t ignore_index, int threads) {
  // The float32 kernel row by row on the widened row: each row's results depend only on that row.
  parallel_rows(rows, threads, [&](long r0, long r1) {
    float* wide = thread_buffer(0, classes);
    for (long r = r0; r < r1; r++) {
      if (targets[r] == ignore_index) continue;
      widen_half_row(f16, wide, logits + r * classes, classes);
      avx512::cross_entropy_forward(lse + r, nll + r, smooth + r, wide, targets + r, weight, 1, classes, ignore_index, 1);
    }
  });
}

void cross_entropy_backward_half(bool f16, uint16_t* dlogits, const uint16_t* logits, const int32_t* targets, const float* weight,
                                 const double* lse, const double* g_nll, const double* g_smooth, long rows, long classes,
                                 int32_t ignore_index, int threads) {
  parallel_rows(rows, threads, [&](long r0, long r1) {
    float* wide = thread_buffer(0, classes);
    float* d = thread_buffer(1, classes);
    for (long r = r0; r < r1; r++) {
      widen_half_row(f16, wide, logits + r * classes, classes);
      avx512::cross_entropy_backward(d, wide, targets + r, weight, lse + r, g_nll + r, g_smooth + r, 1, classes, ignore_index, 1);
      narrow_half_row(f16, dlogits + r * classes, d, classes);
    }
  });
}

}  // namespace loom
