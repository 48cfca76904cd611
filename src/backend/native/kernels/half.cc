// Row kernels on bfloat16 tensors: read bf16 operands (widening is a 16-bit shift), compute in float32
// with the same per-element math as the float32 kernels (vmath.h), and write bf16 results rounded once
// to nearest even — the bits the float32 kernel's result would round to, with no float32 copy of the
// operands or the result. Compiled for AVX-512 (the loops vectorise) and called only where the native
// backend has a bf16 GEMM, i.e. on CPUs with AVX-512.
#include "half.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "bf16.h"
#include "pool.h"
#include "vmath.h"

namespace loom {
namespace {

inline float widen(uint16_t h) {
  uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/** Splits [0, n) into 64-element-aligned chunks, one per thread, and runs body(begin, end) on the pool. */
template <typename Body>
void parallel_spans(long n, int threads, Body body) {
  struct Ctx {
    Body* body;
    long n, chunk;
  };
  long pieces = threads > 1 ? threads : 1;
  long chunk = std::max<long>(64, ((n + pieces - 1) / pieces + 63) / 64 * 64);
  Ctx ctx{&body, n, chunk};
  parallel_for(threads, static_cast<int>((n + chunk - 1) / chunk), [](void* p, int t) {
    Ctx& c = *static_cast<Ctx*>(p);
    long begin = t * c.chunk;
    (*c.body)(begin, std::min(c.n, begin + c.chunk));
  }, &ctx);
}

/** As parallel_spans, over whole rows: body(row_begin, row_end), one even share per thread. */
template <typename Body>
void parallel_rows(long rows, int threads, Body body) {
  struct Ctx {
    Body* body;
    long rows, chunk;
  };
  long pieces = threads > 1 ? threads : 1;
  long chunk = std::max<long>(1, (rows + pieces - 1) / pieces);
  Ctx ctx{&body, rows, chunk};
  parallel_for(threads, static_cast<int>((rows + chunk - 1) / chunk), [](void* p, int t) {
    Ctx& c = *static_cast<Ctx*>(p);
    long begin = t * c.chunk;
    (*c.body)(begin, std::min(c.rows, begin + c.chunk));
  }, &ctx);
}

}  // namespace

void gelu_forward_bf16(uint16_t* out, const uint16_t* x, long n, bool tanh_approx, int threads) {
  parallel_spans(n, threads, [&](long b, long e) {
    // One loop per formula, so that each vectorises.
    if (tanh_approx) for (long i = b; i < e; i++) out[i] = round_to_bf16(gelu_tanh_f(widen(x[i])));
    else for (long i = b; i < e; i++) out[i] = round_to_bf16(gelu_erf_f(widen(x[i])));
  });
}

void gelu_backward_bf16(uint16_t* dx, const uint16_t* dy, const uint16_t* x, long n, bool tanh_approx, int threads) {
  parallel_spans(n, threads, [&](long b, long e) {
    if (tanh_approx) for (long i = b; i < e; i++) dx[i] = round_to_bf16(widen(dy[i]) * gelu_tanh_grad_f(widen(x[i])));
    else for (long i = b; i < e; i++) dx[i] = round_to_bf16(widen(dy[i]) * gelu_erf_grad_f(widen(x[i])));
  });
}

void binary_mixed_bf16(int op, float* out, const float* a, const uint16_t* b, long n, bool swapped, int threads) {
  // Each piece reads and writes only its own range, so out may be a.
  parallel_spans(n, threads, [&](long lo, long hi) {
    if (swapped) {
      switch (op) {
        case 0: for (long i = lo; i < hi; i++) out[i] = widen(b[i]) + a[i]; break;
        case 1: for (long i = lo; i < hi; i++) out[i] = widen(b[i]) - a[i]; break;
        case 2: for (long i = lo; i < hi; i++) out[i] = widen(b[i]) * a[i]; break;
        default: for (long i = lo; i < hi; i++) out[i] = widen(b[i]) / a[i]; break;
      }
    } else {
      switch (op) {
        case 0: for (long i = lo; i < hi; i++) out[i] = a[i] + widen(b[i]); break;
        case 1: for (long i = lo; i < hi; i++) out[i] = a[i] - widen(b[i]); break;
        case 2: for (long i = lo; i < hi; i++) out[i] = a[i] * widen(b[i]); break;
        default: for (long i = lo; i < hi; i++) out[i] = a[i] / widen(b[i]); break;
      }
    }
  });
}

void sum_columns_bf16(float* out, const uint16_t* x, long rows, long cols, int threads) {
  // rows.cc sum_columns' order exactly (64-row partials added in chunk order), on widened values.
  constexpr long CHUNK = 64;
  const long chunks = (rows + CHUNK - 1) / CHUNK;
  std::vector<float> part(chunks * cols, 0.0f);
  struct Ctx {
    float* part;
    const uint16_t* x;
    long rows, cols;
  };
  Ctx ctx{part.data(), x, rows, cols};
  parallel_for(threads, static_cast<int>(chunks), [](void* p, int chunk) {
    const Ctx& c = *static_cast<const Ctx*>(p);
    float* dst = c.part + chunk * c.cols;
    const long r1 = std::min(c.rows, (chunk + 1) * CHUNK);
    for (long r = chunk * CHUNK; r < r1; r++) {
      const uint16_t* xr = c.x + r * c.cols;
      for (long j = 0; j < c.cols; j++) dst[j] += widen(xr[j]);
    }
  }, &ctx);
  std::memset(out, 0, cols * sizeof(float));
  for (long chunk = 0; chunk < chunks; chunk++) {
    const float* p = part.data() + chunk * cols;
    for (long j = 0; j < cols; j++) out[j] += p[j];
  }
}

void cross_entropy_forward_bf16(double* lse, double* nll, double* smooth, const uint16_t* logits, const int32_t* targets,
                                const float* weight, long rows, long classes, int32_t ignore_index, int threads) {
  // rows.cc cross_entropy_forward on widened logits, term for term (so the same bits).
  parallel_rows(rows, threads, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      int32_t y = targets[r];
      if (y == ignore_index) continue;
      const uint16_t* x = logits + r * classes;
      float m = -INFINITY;
      for (long c = 0; c < classes; c++) m = widen(x[c]) > m ? widen(x[c]) : m;
      double l = m + std::log(lanes_sum(classes, [&](long c) { return exp_f(widen(x[c]) - m); }));
      lse[r] = l;
      nll[r] = -(weight ? weight[y] : 1.0) * (widen(x[y]) - l);
      float lf = static_cast<float>(l);
      smooth[r] = weight ? -lanes_sum(classes, [&](long c) { return weight[c] * (widen(x[c]) - lf); })
                         : -lanes_sum(classes, [&](long c) { return widen(x[c]) - lf; });
    }
  });
}

void cross_entropy_backward_bf16(uint16_t* dlogits, const uint16_t* logits, const int32_t* targets, const float* weight,
                                 const double* lse, const double* g_nll, const double* g_smooth, long rows, long classes,
                                 int32_t ignore_index, int threads) {
  double w_sum = classes;
  if (weight) {
    w_sum = 0;
    for (long c = 0; c < classes; c++) w_sum += weight[c];
  }
  // rows.cc cross_entropy_backward on widened logits, each row's float32 gradient rounded once.
  parallel_rows(rows, threads, [&](long r0, long r1) {
    static thread_local std::vector<float> row;
    row.resize(classes);
    float* d = row.data();
    for (long r = r0; r < r1; r++) {
      uint16_t* out = dlogits + r * classes;
      int32_t y = targets[r];
      if (y == ignore_index) {
        std::memset(out, 0, classes * sizeof(uint16_t));
        continue;
      }
      const uint16_t* x = logits + r * classes;
      float a = static_cast<float>(g_nll[r] * (weight ? weight[y] : 1.0));
      float b = static_cast<float>(g_smooth[r]);
      float l = static_cast<float>(lse[r]);
      float ws = static_cast<float>(w_sum);
      if (weight) for (long c = 0; c < classes; c++) {
        float p = exp_f(widen(x[c]) - l);
        d[c] = a * p + b * (ws * p - weight[c]);
      }
      else for (long c = 0; c < classes; c++) {
        float p = exp_f(widen(x[c]) - l);
        d[c] = a * p + b * (ws * p - 1.0f);
      }
      d[y] -= a;
      for (long c = 0; c < classes; c++) out[c] = round_to_bf16(d[c]);
    }
  });
}

}  // namespace loom
