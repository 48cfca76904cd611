// Row and elementwise kernels, compiled once per instruction set (LOOM_ISA). Plain loops over float32
// that GCC vectorises with the set's -m flags; formulas are the reference backend's (named per kernel).
// Statistics and sums accumulate in double where the reference does, in float lanes elsewhere.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <immintrin.h>
#include <vector>

#include "fmix32.h"
#include "half_rows.h"
#include "kernels.h"
#include "parallel.h"
#include "pool.h"
#include "vmath.h"

namespace loom {
namespace LOOM_ISA {
namespace {

constexpr float SQRT_2_OVER_PI = 0.7978845608028654f;
constexpr float INV_SQRT_2 = 0.7071067811865476f;
constexpr float INV_SQRT_2PI = 0.3989422804014327f;


inline float row_max(const float* x, long cols) { return lanes_max(x, cols); }

/** Σ e^(x_c − m), accumulated in float lanes then summed in double. */
inline double row_exp_sum(const float* x, long cols, float m) {
  return lanes_sum(cols, [&](long c) { return exp_f(x[c] - m); });
}

}  // namespace

// reference/gelu.ts (formulas in its header)
void gelu_forward(float* out, const float* x, long n, bool tanh_approx, int threads) {
  parallel_ranges(n, threads, [&](long b, long e) {
    if (tanh_approx) {
      // ½x(1 + tanh u) = x·σ(2u): one exp and one division, where tanh_f takes both its series and
      // its exp form (and 1 + tanh u cancels for x ≪ 0, which σ(2u) does not).
      for (long i = b; i < e; i++) {
        float v = x[i];
        float u = SQRT_2_OVER_PI * (v + 0.044715f * v * v * v);
        out[i] = v * sigmoid_f(2.0f * u);
      }
    } else {
      for (long i = b; i < e; i++) {
        float v = x[i];
        float z = v * INV_SQRT_2;
        out[i] = 0.5f * v * (1.0f + erf_with(z, exp_f(-z * z)));
      }
    }
  });
}

void gelu_backward(float* dx, const float* dy, const float* x, long n, bool tanh_approx, int threads) {
  parallel_ranges(n, threads, [&](long b, long e) {
    if (tanh_approx) {
      // With s = σ(2u) = ½(1 + tanh u): ½(1 + tanh u) = s and ½(1 − tanh²u) = 2s(1 − s).
      for (long i = b; i < e; i++) {
        float v = x[i];
        float u = SQRT_2_OVER_PI * (v + 0.044715f * v * v * v);
        float s = sigmoid_f(2.0f * u);
        float du = SQRT_2_OVER_PI * (1.0f + 3.0f * 0.044715f * v * v);
        dx[i] = dy[i] * (s + 2.0f * v * s * (1.0f - s) * du);
      }
    } else {
      for (long i = b; i < e; i++) {
        float v = x[i];
        float z = v * INV_SQRT_2;
        float ez = exp_f(-z * z);  // e^(−x²/2): erf's factor and the density's
        dx[i] = dy[i] * (0.5f * (1.0f + erf_with(z, ez)) + v * INV_SQRT_2PI * ez);
      }
    }
  });
}

// reference/layernorm.ts
void layernorm_forward(float* out, float* mean, float* rstd, const float* x, const float* w, const float* b, long rows, long cols,
                       float eps, int threads) {
  parallel_rows(rows, threads, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      float* o = out + r * cols;
      double m = lanes_sum(cols, [&](long c) { return xr[c]; }) / cols;
      float mf0 = static_cast<float>(m);
      double v = lanes_sum(cols, [&](long c) { return (xr[c] - mf0) * (xr[c] - mf0); });
      float rs = static_cast<float>(1.0 / std::sqrt(v / cols + eps));
      float mf = static_cast<float>(m);
      mean[r] = mf;
      rstd[r] = rs;
      if (w && b) for (long c = 0; c < cols; c++) o[c] = (xr[c] - mf) * rs * w[c] + b[c];
      else if (w) for (long c = 0; c < cols; c++) o[c] = (xr[c] - mf) * rs * w[c];
      else if (b) for (long c = 0; c < cols; c++) o[c] = (xr[c] - mf) * rs + b[c];
      else for (long c = 0; c < cols; c++) o[c] = (xr[c] - mf) * rs;
    }
  });
}

void layernorm_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* mean, const float* rstd,
                        const float* w, long rows, long cols, int threads) {
  // dw and db sum over rows: each fixed chunk of rows sums into its own partial, and the partials are
  // added in chunk order afterwards, so the result does not depend on the thread count.
  const long chunks = (rows + REDUCE_CHUNK_ROWS - 1) / REDUCE_CHUNK_ROWS;
  std::vector<float> part_w(dw ? chunks * cols : 0, 0.0f), part_b(db ? chunks * cols : 0, 0.0f);
  parallel_tasks(chunks, threads, [&](long chunk) {
    float* pw = dw ? part_w.data() + chunk * cols : nullptr;
    float* pb = db ? part_b.data() + chunk * cols : nullptr;
    const long r1 = std::min(rows, (chunk + 1) * REDUCE_CHUNK_ROWS);
    for (long r = chunk * REDUCE_CHUNK_ROWS; r < r1; r++) {
      const float* xr = x + r * cols;
      const float* g = dy + r * cols;
      float m = mean[r];
      float rs = rstd[r];
      if (pw) for (long c = 0; c < cols; c++) pw[c] += g[c] * ((xr[c] - m) * rs);
      if (pb) for (long c = 0; c < cols; c++) pb[c] += g[c];
      if (!dx) continue;
      float sum_g, sum_gx;
      if (w) {
        sum_g = static_cast<float>(lanes_sum(cols, [&](long c) { return g[c] * w[c]; }));
        sum_gx = static_cast<float>(lanes_sum(cols, [&](long c) { return g[c] * w[c] * ((xr[c] - m) * rs); }));
      } else {
        sum_g = static_cast<float>(lanes_sum(cols, [&](long c) { return g[c]; }));
        sum_gx = static_cast<float>(lanes_sum(cols, [&](long c) { return g[c] * ((xr[c] - m) * rs); }));
      }
      float mean_g = sum_g / cols;
      float mean_gx = sum_gx / cols;
      float* d = dx + r * cols;
      for (long c = 0; c < cols; c++) {
        float xh = (xr[c] - m) * rs;
        float gc = g[c] * (w ? w[c] : 1.0f);
        d[c] = rs * (gc - mean_g - xh * mean_gx);
      }
    }
  });
  for (long chunk = 0; chunk < chunks; chunk++) {
    if (dw) for (long c = 0; c < cols; c++) dw[c] += part_w[chunk * cols + c];
    if (db) for (long c = 0; c < cols; c++) db[c] += part_b[chunk * cols + c];
  }
}

// reference/rmsnorm.ts: rstd = 1/√(mean(x²) + ε), y = x·rstd·w; dx = rstd·(ĝ − x̂·mean(ĝ·x̂)), ĝ = dy·w
void rmsnorm_forward(float* out, float* rstd, const float* x, const float* w, long rows, long cols, float eps, int threads) {
  parallel_rows(rows, threads, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      float* o = out + r * cols;
      double s = lanes_sum(cols, [&](long c) { return xr[c] * xr[c]; });
      float rs = static_cast<float>(1.0 / std::sqrt(s / cols + eps));
      rstd[r] = rs;
      if (w) for (long c = 0; c < cols; c++) o[c] = xr[c] * rs * w[c];
      else for (long c = 0; c < cols; c++) o[c] = xr[c] * rs;
    }
  });
}

void rmsnorm_backward(float* dx, float* dw, const float* dy, const float* x, const float* rstd, const float* w, long rows, long cols) {
  for (long r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    const float* g = dy + r * cols;
    float rs = rstd[r];
    float sum_gx = w ? static_cast<float>(lanes_sum(cols, [&](long c) { return g[c] * w[c] * (xr[c] * rs); }))
                     : static_cast<float>(lanes_sum(cols, [&](long c) { return g[c] * (xr[c] * rs); }));
    if (dw) for (long c = 0; c < cols; c++) dw[c] += g[c] * (xr[c] * rs);
    if (!dx) continue;
    float mean_gx = sum_gx / cols;
    float* d = dx + r * cols;
    for (long c = 0; c < cols; c++) d[c] = rs * (g[c] * (w ? w[c] : 1.0f) - xr[c] * rs * mean_gx);
  }
}

// reference/softmax.ts
void softmax_forward(float* out, const float* x, long rows, long cols, bool log, int threads) {
  parallel_rows(rows, threads, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      float* o = out + r * cols;
      float m = row_max(xr, cols);
      if (m == -INFINITY) m = 0;  // an all −∞ row gives NaN through 0/0, as the reference
      double s = row_exp_sum(xr, cols, m);
      if (log) {
        float lse = static_cast<float>(m + std::log(s));
        for (long c = 0; c < cols; c++) o[c] = xr[c] - lse;
      } else {
        float inv = static_cast<float>(1.0 / s);
        for (long c = 0; c < cols; c++) o[c] = exp_f(xr[c] - m) * inv;
      }
    }
  });
}

void softmax_backward(float* dx, const float* dy, const float* y, long rows, long cols, bool log, int threads) {
  parallel_rows(rows, threads, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* g = dy + r * cols;
      const float* yr = y + r * cols;
      float* d = dx + r * cols;
      if (log) {
        float s = static_cast<float>(lanes_sum(cols, [&](long c) { return g[c]; }));
        for (long c = 0; c < cols; c++) d[c] = g[c] - exp_f(yr[c]) * s;
      } else {
        float s = static_cast<float>(lanes_sum(cols, [&](long c) { return g[c] * yr[c]; }));
        for (long c = 0; c < cols; c++) d[c] = yr[c] * (g[c] - s);
      }
    }
  });
}

// reference/crossentropy.ts; ignored rows keep the zeros the caller's arrays start with
void cross_entropy_forward(double* lse, double* nll, double* smooth, const float* logits, const int32_t* targets,
                           const float* weight, long rows, long classes, int32_t ignore_index, int threads) {
  parallel_rows(rows, threads, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      int32_t y = targets[r];
      if (y == ignore_index) continue;
      const float* x = logits + r * classes;
      float m = row_max(x, classes);
      double l = m + std::log(row_exp_sum(x, classes, m));
      lse[r] = l;
      nll[r] = -(weight ? weight[y] : 1.0) * (x[y] - l);
      float lf = static_cast<float>(l);
      smooth[r] = weight ? -lanes_sum(classes, [&](long c) { return weight[c] * (x[c] - lf); })
                         : -lanes_sum(classes, [&](long c) { return x[c] - lf; });
    }
  });
}

void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, const float* weight, const double* lse,
                            const double* g_nll, const double* g_smooth, long rows, long classes, int32_t ignore_index, int threads) {
  double w_sum = classes;
  if (weight) {
    w_sum = 0;
    for (long c = 0; c < classes; c++) w_sum += weight[c];
  }
  parallel_rows(rows, threads, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      float* d = dlogits + r * classes;
      int32_t y = targets[r];
      if (y == ignore_index) {
        std::memset(d, 0, classes * sizeof(float));
        continue;
      }
      const float* x = logits + r * classes;
      float a = static_cast<float>(g_nll[r] * (weight ? weight[y] : 1.0));
      float b = static_cast<float>(g_smooth[r]);
      float l = static_cast<float>(lse[r]);
      float ws = static_cast<float>(w_sum);
      if (weight) for (long c = 0; c < classes; c++) {
        float p = exp_f(x[c] - l);
        d[c] = a * p + b * (ws * p - weight[c]);
      }
      else for (long c = 0; c < classes; c++) {
        float p = exp_f(x[c] - l);
        d[c] = a * p + b * (ws * p - 1.0f);
      }
      d[y] -= a;
    }
  });
}

// reference/adamw.ts
void adamw_update(float* param, const float* grad, float* m, float* v, float* vmax, long n, const AdamWArgs& h) {
  const float decay = h.decoupled ? 1.0f - h.lr * h.weight_decay : 1.0f;
  const float l2 = h.decoupled ? 0.0f : h.weight_decay;
  const float sign = h.maximize ? -1.0f : 1.0f;
  const float b1 = h.beta1, b2 = h.beta2, eps = h.eps;
  const float step_size = static_cast<float>(h.step_size);
  const float inv_bc2 = static_cast<float>(1.0 / h.bias_correction2_sqrt);
#ifdef __AVX512F__
  // 16 lanes at a time in intrinsics (the scalar loop below stayed scalar: std::sqrt's errno path and the
  // AMSGrad branch), the same operations per element, the last step masked.
  const __m512 vb1 = _mm512_set1_ps(b1), vb2 = _mm512_set1_ps(b2), vc1 = _mm512_set1_ps(1.0f - b1), vc2 = _mm512_set1_ps(1.0f - b2);
  const __m512 vdecay = _mm512_set1_ps(decay), vl2 = _mm512_set1_ps(l2), vsign = _mm512_set1_ps(sign), veps = _mm512_set1_ps(eps);
  const __m512 vstep = _mm512_set1_ps(step_size), vinv = _mm512_set1_ps(inv_bc2);
  for (long i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n - i)) - 1);
    __m512 p = _mm512_maskz_loadu_ps(k, param + i);
    __m512 g = _mm512_add_ps(_mm512_mul_ps(vsign, _mm512_maskz_loadu_ps(k, grad + i)), _mm512_mul_ps(vl2, p));
    __m512 mi = _mm512_add_ps(_mm512_mul_ps(vb1, _mm512_maskz_loadu_ps(k, m + i)), _mm512_mul_ps(vc1, g));
    __m512 vi = _mm512_add_ps(_mm512_mul_ps(vb2, _mm512_maskz_loadu_ps(k, v + i)), _mm512_mul_ps(_mm512_mul_ps(vc2, g), g));
    _mm512_mask_storeu_ps(m + i, k, mi);
    _mm512_mask_storeu_ps(v + i, k, vi);
    __m512 vh = vi;
    if (vmax) {
      __m512 old = _mm512_maskz_loadu_ps(k, vmax + i);
      vh = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(old, vi, _CMP_GT_OQ), vi, old);
      _mm512_mask_storeu_ps(vmax + i, k, vh);
    }
    __m512 denom = _mm512_add_ps(_mm512_mul_ps(_mm512_sqrt_ps(vh), vinv), veps);
    __m512 upd = _mm512_div_ps(_mm512_mul_ps(vstep, mi), denom);
    _mm512_mask_storeu_ps(param + i, k, _mm512_sub_ps(_mm512_mul_ps(p, vdecay), upd));
  }
#else
  for (long i = 0; i < n; i++) {
    float p = param[i];
    float g = sign * grad[i] + l2 * p;
    float mi = b1 * m[i] + (1.0f - b1) * g;
    float vi = b2 * v[i] + (1.0f - b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    float vh = vi;
    if (vmax) {
      vh = vmax[i] > vi ? vmax[i] : vi;
      vmax[i] = vh;
    }
    param[i] = p * decay - step_size * mi / (std::sqrt(vh) * inv_bc2 + eps);
  }
#endif
}

// reference/elementwise.ts (add, sub, mul, div)
void binary(int op, float* out, const float* a, const float* b, long n, int threads) {
  // Each piece reads and writes only its own range, so out may be a or b.
  parallel_ranges(n, threads, [&](long lo, long hi) {
    switch (op) {
      case 0: for (long i = lo; i < hi; i++) out[i] = a[i] + b[i]; break;
      case 1: for (long i = lo; i < hi; i++) out[i] = a[i] - b[i]; break;
      case 2: for (long i = lo; i < hi; i++) out[i] = a[i] * b[i]; break;
      default: for (long i = lo; i < hi; i++) out[i] = a[i] / b[i]; break;
    }
  });
}

void binary_scalar(int op, float* out, const float* a, float y, long n) {
  switch (op) {
    case 0: for (long i = 0; i < n; i++) out[i] = a[i] + y; break;
    case 1: for (long i = 0; i < n; i++) out[i] = a[i] - y; break;
    case 2: for (long i = 0; i < n; i++) out[i] = a[i] * y; break;
    default: for (long i = 0; i < n; i++) out[i] = a[i] / y; break;
  }
}

void binary_rows(int op, float* out, const float* full, const float* block, long rows, long cols, bool swapped) {
  for (long r = 0; r < rows; r++) {
    const float* f = full + r * cols;
    float* o = out + r * cols;
    if (swapped) {
      switch (op) {
        case 0: for (long c = 0; c < cols; c++) o[c] = block[c] + f[c]; break;
        case 1: for (long c = 0; c < cols; c++) o[c] = block[c] - f[c]; break;
        case 2: for (long c = 0; c < cols; c++) o[c] = block[c] * f[c]; break;
        default: for (long c = 0; c < cols; c++) o[c] = block[c] / f[c]; break;
      }
    } else {
      binary(op, o, f, block, cols, 1);
    }
  }
}

double sum(const float* x, long n) {
  // blocks of 4096 in float lanes, the blocks' totals in double (float lanes alone drift on long arrays)
  double total = 0;
  for (long b = 0; b < n; b += 4096) {
    const float* xb = x + b;
    total += lanes_sum(std::min<long>(4096, n - b), [&](long i) { return xb[i]; });
  }
  return total;
}

void sum_rows(float* out, const float* x, long rows, long cols) {
  for (long r = 0; r < rows; r++) out[r] = static_cast<float>(sum(x + r * cols, cols));
}

void sum_columns(float* out, const float* x, long rows, long cols, int threads) {
  // As layernorm_backward's dw: per-chunk partials added in chunk order (independent of the thread count).
  const long chunks = (rows + REDUCE_CHUNK_ROWS - 1) / REDUCE_CHUNK_ROWS;
  std::vector<float> part(chunks * cols, 0.0f);
  parallel_tasks(chunks, threads, [&](long chunk) {
    float* p = part.data() + chunk * cols;
    const long r1 = std::min(rows, (chunk + 1) * REDUCE_CHUNK_ROWS);
    for (long r = chunk * REDUCE_CHUNK_ROWS; r < r1; r++) {
      const float* xr = x + r * cols;
      for (long c = 0; c < cols; c++) p[c] += xr[c];
    }
  });
  std::memset(out, 0, cols * sizeof(float));
  for (long chunk = 0; chunk < chunks; chunk++) {
    const float* p = part.data() + chunk * cols;
    for (long c = 0; c < cols; c++) out[c] += p[c];
  }
}

// reference/dropout.ts dropoutApply. Keep iff h/2^32 >= p, i.e. h >= ceil(p·2^32) (p·2^32 is exact in
// double, h an integer), so the lanes compare integers; the product is formed in double and rounded
// once to float, as the reference's store into a Float32Array (x·0 keeps its sign, NaN and ±∞ give NaN).
// GCC does not vectorise the 32-bit hash feeding 64-bit products, hence the intrinsics.
namespace {

inline uint32_t dropout_hash(uint32_t lo, uint32_t seed0, uint32_t mix) { return fmix32(fmix32(lo ^ seed0) ^ mix); }

#if defined(__AVX512F__)
inline __m512i fmix32_v(__m512i h) {
  h = _mm512_xor_si512(h, _mm512_srli_epi32(h, 16));
  h = _mm512_mullo_epi32(h, _mm512_set1_epi32(static_cast<int>(0x85ebca6bu)));
  h = _mm512_xor_si512(h, _mm512_srli_epi32(h, 13));
  h = _mm512_mullo_epi32(h, _mm512_set1_epi32(static_cast<int>(0xc2b2ae35u)));
  return _mm512_xor_si512(h, _mm512_srli_epi32(h, 16));
}
#elif defined(__AVX2__)
inline __m256i fmix32_v(__m256i h) {
  h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
  h = _mm256_mullo_epi32(h, _mm256_set1_epi32(static_cast<int>(0x85ebca6bu)));
  h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 13));
  h = _mm256_mullo_epi32(h, _mm256_set1_epi32(static_cast<int>(0xc2b2ae35u)));
  return _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
}
#endif

/** out[j] = x[j]·z_j for j in [b, e), all indices sharing the high word whose hash term is `mix`. */
void dropout_span(float* out, const float* x, long b, long e, double scale, uint32_t thr, uint32_t seed0, uint32_t mix) {
  long j = b;
#if defined(__AVX512F__)
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i vseed0 = _mm512_set1_epi32(static_cast<int>(seed0)), vmix = _mm512_set1_epi32(static_cast<int>(mix));
  const __m512i vthr = _mm512_set1_epi32(static_cast<int>(thr));
  const __m512d vscale = _mm512_set1_pd(scale), zero = _mm512_setzero_pd();
  for (; j + 16 <= e; j += 16) {
    __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(j))), lane);
    __m512i h = fmix32_v(_mm512_xor_si512(fmix32_v(_mm512_xor_si512(idx, vseed0)), vmix));
    __mmask16 keep = _mm512_cmpge_epu32_mask(h, vthr);
    __m512 xv = _mm512_loadu_ps(x + j);
    __m512d lo = _mm512_mul_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(xv)), _mm512_mask_blend_pd(static_cast<__mmask8>(keep), zero, vscale));
    __m512d hi = _mm512_mul_pd(_mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(xv), 1))),
                               _mm512_mask_blend_pd(static_cast<__mmask8>(keep >> 8), zero, vscale));
    __m256 lo_f = _mm512_cvtpd_ps(lo), hi_f = _mm512_cvtpd_ps(hi);
    _mm512_storeu_ps(out + j, _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(lo_f)), _mm256_castps_pd(hi_f), 1)));
  }
#elif defined(__AVX2__)
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i vseed0 = _mm256_set1_epi32(static_cast<int>(seed0)), vmix = _mm256_set1_epi32(static_cast<int>(mix));
  const __m256i vthr = _mm256_set1_epi32(static_cast<int>(thr));
  const __m256d vscale = _mm256_set1_pd(scale), zero = _mm256_setzero_pd();
  for (; j + 8 <= e; j += 8) {
    __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(j))), lane);
    __m256i h = fmix32_v(_mm256_xor_si256(fmix32_v(_mm256_xor_si256(idx, vseed0)), vmix));
    __m256i keep = _mm256_cmpeq_epi32(_mm256_max_epu32(h, vthr), h);  // h >= thr, unsigned
    __m256d keep_lo = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(keep)));
    __m256d keep_hi = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(keep, 1)));
    __m256 xv = _mm256_loadu_ps(x + j);
    __m256d lo = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(xv)), _mm256_blendv_pd(zero, vscale, keep_lo));
    __m256d hi = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(xv, 1)), _mm256_blendv_pd(zero, vscale, keep_hi));
    _mm256_storeu_ps(out + j, _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo)));
  }
#endif
  for (; j < e; j++) {
    const uint32_t h = dropout_hash(static_cast<uint32_t>(j), seed0, mix);
    out[j] = static_cast<float>(static_cast<double>(x[j]) * (h >= thr ? scale : 0.0));
  }
}

}  // namespace

void dropout(float* out, const float* x, long n, double p, uint32_t seed0, uint32_t seed1, int threads) {
  const double scale = p < 1 ? 1.0 / (1.0 - p) : 0.0;
  const double threshold = std::ceil(p * 4294967296.0);
  const bool none_kept = !(threshold <= 4294967295.0);
  const uint32_t thr = none_kept ? 0u : static_cast<uint32_t>(threshold);
  parallel_ranges(n, threads, [&](long b, long e) {
    if (none_kept) {
      for (long j = b; j < e; j++) out[j] = static_cast<float>(static_cast<double>(x[j]) * 0.0);
      return;
    }
    // The index's high word enters the hash as (hi + 1)·0x9e3779b1, constant over each 2^32 block.
    for (long i = b; i < e;) {
      const uint64_t hi = static_cast<uint64_t>(i) >> 32;
      const long stop = std::min<long>(e, static_cast<long>((hi + 1) << 32));
      dropout_span(out, x, i, stop, scale, thr, seed0, (static_cast<uint32_t>(hi) + 1u) * 0x9e3779b1u ^ seed1);
      i = stop;
    }
  });
}

// io/half.ts float32ToBFloat16 / bfloat16ToFloat32, bit for bit: round to nearest even on the bits
// (u + 0x7fff + lsb) >> 16, every NaN to 0xffff; widening is a shift.
void to_bf16(uint16_t* out, const float* x, long n, int threads) {
  parallel_ranges(n, threads, [&](long b, long e) { narrow_bf16_row(out + b, x + b, e - b); });
}

void from_bf16(float* out, const uint16_t* x, long n, int threads) {
  parallel_ranges(n, threads, [&](long b, long e) { widen_bf16_row(out + b, x + b, e - b); });
}

// io/half.ts float32ToFloat16 / float16ToFloat32 bit for bit (f16.h).
void to_f16(uint16_t* out, const float* x, long n, int threads) {
  parallel_ranges(n, threads, [&](long b, long e) { narrow_f16_row(out + b, x + b, e - b); });
}

void from_f16(float* out, const uint16_t* x, long n, int threads) {
  parallel_ranges(n, threads, [&](long b, long e) { widen_f16_row(out + b, x + b, e - b); });
}

// reference/embedding.ts (ids already checked to lie in [0, num))
void embedding_forward(float* out, const float* weight, const int32_t* ids, long n, long dim) {
  for (long i = 0; i < n; i++) std::memcpy(out + i * dim, weight + static_cast<long>(ids[i]) * dim, dim * sizeof(float));
}

void embedding_backward(float* dweight, const float* dout, const int32_t* ids, long n, long dim, long padding_idx) {
  for (long i = 0; i < n; i++) {
    long id = ids[i];
    if (id == padding_idx) continue;
    float* d = dweight + id * dim;
    const float* g = dout + i * dim;
    for (long c = 0; c < dim; c++) d[c] += g[c];
  }
}

}  // namespace LOOM_ISA
}  // namespace loom
