// Branch-free scalar math that GCC vectorises inside loops (-O3, the ISA's -m flags): the loops in
// rows.cc call these per element and compile to 16- or 8-lane code. No libm calls, which would stop
// vectorisation.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace loom {

inline float bits_to_float(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

/**
 * e^x: x = n·ln2 + f with |f| ≤ ln2/2 (Cody–Waite split of ln2), e^f by Cephes expf's degree-6
 * polynomial (≈1 ulp), 2^n from the exponent bits. Below −87.3 the result flushes to 0 (the true value
 * is subnormal); NaN propagates through the polynomial.
 */
inline float exp_f(float x) {
  float xc = x > 88.72f ? 88.72f : x;
  xc = xc < -87.3f ? -87.3f : xc;
  float n = __builtin_rintf(xc * 1.44269504088896341f);
  float f = xc - n * 0.693359375f;
  f = f - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * f + 1.3981999507e-3f;
  p = p * f + 8.3334519073e-3f;
  p = p * f + 4.1665795894e-2f;
  p = p * f + 1.6666665459e-1f;
  p = p * f + 5.0000001201e-1f;
  float y = p * f * f + f + 1.0f;
  float scale = bits_to_float((static_cast<int32_t>(n) + 127) << 23);
  float r = y * scale;
  return x < -87.3f ? 0.0f : r;
}

/**
 * tanh(x): for |x| < 0.3 its Taylor series to x⁹ (truncation < 6·10⁻⁸ relative, where the exp form
 * would cancel), else 1 − 2/(e^{2x} + 1), which saturates cleanly at ±1 through exp_f's clamps.
 */
inline float tanh_f(float x) {
  float x2 = x * x;
  float series = x + x * x2 * (-0.333333333f + x2 * (0.133333333f + x2 * (-0.0539682540f + x2 * 0.0218694885f)));
  float viaexp = 1.0f - 2.0f / (exp_f(2.0f * x) + 1.0f);
  return x2 < 0.09f ? series : viaexp;
}

/** σ(x) = 1/(1 + e^(−x)); e^(−x) overflows to +∞ below −88.7, giving 0. */
inline float sigmoid_f(float x) { return 1.0f / (1.0f + exp_f(-x)); }

/**
 * erf(x) by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5·10⁻⁷), given e^(−x²) (the GELU kernels also
 * need it for the density, so it is computed once).
 */
inline float erf_with(float x, float exp_minus_x2) {
  float ax = x < 0 ? -x : x;
  float t = 1.0f / (1.0f + 0.3275911f * ax);
  float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  float e = 1.0f - poly * exp_minus_x2;
  return x < 0 ? -e : e;
}

/**
 * Σ_{i<n} term(i) in 16 float lanes (the loop over lanes vectorises without reassociation flags, which
 * would also let the compiler fold exp_f's Cody–Waite split), the lanes added at the end in double.
 * The 16 terms are computed by a loop of their own before they are added: unrolled into the sum as one
 * straight block, GCC turned exp_f's clamps into branches and ran it lane by lane (scalar).
 */
template <typename Term>
inline double lanes_sum(long n, Term term) {
  alignas(64) float acc[16] = {};
  long i = 0;
#ifdef __AVX512F__
  // The 16 accumulators as one register: GCC kept them as 16 scalars (a vaddss and a lane extract per
  // term), half the row math of the attention kernels' softmax. Same sums, lane by lane, in the same order.
  __m512 lanes = _mm512_setzero_ps();
  for (; i + 16 <= n; i += 16) {
    alignas(64) float t[16];
    for (int l = 0; l < 16; l++) t[l] = term(i + l);
    lanes = _mm512_add_ps(lanes, _mm512_load_ps(t));
  }
  _mm512_store_ps(acc, lanes);
#else
  for (; i + 16 <= n; i += 16) {
    float t[16];
    for (int l = 0; l < 16; l++) t[l] = term(i + l);
#pragma GCC unroll 16
    for (int l = 0; l < 16; l++) acc[l] += t[l];
  }
#endif
  double total = 0;
  for (; i < n; i++) total += term(i);
  for (int l = 0; l < 16; l++) total += acc[l];
  return total;
}

/**
 * max_{i<n} x[i] (−∞ for n = 0) in 16 lanes: a one-accumulator max is a chain of dependent compares
 * that GCC does not vectorise without -ffast-math. A NaN is skipped, as in the scalar loop it replaces.
 */
inline float lanes_max(const float* x, long n) {
  float acc[16];
  for (int l = 0; l < 16; l++) acc[l] = -INFINITY;
  long j = 0;
  for (; j + 16 <= n; j += 16) {
#pragma GCC unroll 16
    for (int l = 0; l < 16; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
  }
  float m = -INFINITY;
  for (; j < n; j++) m = x[j] > m ? x[j] : m;
  for (int l = 0; l < 16; l++) m = acc[l] > m ? acc[l] : m;
  return m;
}

}  // namespace loom
