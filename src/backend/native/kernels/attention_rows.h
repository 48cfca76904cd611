// The row math of fused attention shared by the float32-product kernel (attention.cc, once per
// instruction set) and the AMX one (amx_attention.cc): masking and scaling a score row, its softmax
// and logsumexp, the dropout multipliers regenerated from the seed, and the backward's dS row. The
// formulas are reference/attention.ts's. Internal linkage, as half_rows.h: each translation unit keeps
// its own copy, compiled with its own instruction set's flags.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fmix32.h"
#include "shapes.h"
#include "vmath.h"

namespace loom {
namespace {

/** reference/attention.ts attentionDropoutKeep: the multiplier z = keep / (1 − p) of element `index`. */
inline float dropout_scale(const AttentionArgs& a, uint64_t index, float keep_scale) {
  uint32_t lo = static_cast<uint32_t>(index);
  uint32_t hi = static_cast<uint32_t>(index >> 32);
  uint32_t h = fmix32(fmix32(lo ^ a.seed0) ^ ((hi + 1u) * 0x9e3779b1u) ^ a.seed1);
  return static_cast<double>(h) / 4294967296.0 >= static_cast<double>(a.dropout) ? keep_scale : 0.0f;
}

inline long key_end(const AttentionArgs& a, long i) {
  if (!a.causal) return a.s;
  long e = i + a.causal_offset + 1;
  return e < 0 ? 0 : (e > a.s ? a.s : e);
}

/**
 * A causal row's key count `end` rounded up to whole 16-lane vectors, at most the `e` keys its block's
 * product computed: the row loops then run without a scalar tail (which, with `end` = i + 1 different on
 * every row, took most of the softmax's time), the keys in [end, padded) reading as −∞ and so as
 * probability 0.
 */
inline long padded_end(long end, long e) {
  const long p = (end + 15) / 16 * 16;
  return p < e ? p : e;
}

/**
 * Turns raw score row i (Q_i·K_jᵀ, all S keys) into scale·s + mask in [0, end) — −∞ where masked — and
 * −∞ in [end, pe); returns the max over [0, pe).
 */
inline float finish_scores(const AttentionArgs& a, long n, long i, long end, long pe, float* row) {
  const float scale = a.scale;
  for (long j = 0; j < pe; j++) row[j] *= scale;
  for (long j = end; j < pe; j++) row[j] = -INFINITY;
  if (a.mask_bool) {
    const uint8_t* m = a.mask_bool + a.mask_offsets[n] + i * a.mask_stride_t;
    const long ms = a.mask_stride_s;
    for (long j = 0; j < end; j++) row[j] = m[j * ms] != 0 ? row[j] : -INFINITY;
  } else if (a.mask_add) {
    const float* m = a.mask_add + a.mask_offsets[n] + i * a.mask_stride_t;
    const long ms = a.mask_stride_s;
    for (long j = 0; j < end; j++) row[j] += m[j * ms];
  }
  return lanes_max(row, pe);
}

/**
 * z[j] = the dropout multiplier of element base + j for j < end, as dropout_scale. Where the indices
 * fit 32 bits (the high word's hash term then is the constant 0x9e3779b1), the keep test is the
 * integer h >= ceil(p·2^32) (the same as h/2^32 >= p, p·2^32 being exact in double), which GCC
 * vectorises; larger indices take dropout_scale per element.
 */
inline void dropout_row(const AttentionArgs& a, uint64_t base, long end, float keep_scale, float* z) {
  const double threshold = std::ceil(static_cast<double>(a.dropout) * 4294967296.0);
  if (!(threshold <= 4294967295.0)) {
    for (long j = 0; j < end; j++) z[j] = 0.0f;
  } else if (base + static_cast<uint64_t>(end) <= 4294967296ull) {
    const uint32_t thr = static_cast<uint32_t>(threshold), seed0 = a.seed0, mix = 0x9e3779b1u ^ a.seed1;
    const uint32_t b = static_cast<uint32_t>(base);
    for (long j = 0; j < end; j++) {
      const uint32_t h = fmix32(fmix32((b + static_cast<uint32_t>(j)) ^ seed0) ^ mix);
      z[j] = h >= thr ? keep_scale : 0.0f;
    }
  } else {
    for (long j = 0; j < end; j++) z[j] = dropout_scale(a, base + j, keep_scale);
  }
}

/** Multiplies P row r (in place) by the dropout multipliers z_rj. */
inline void apply_dropout(const AttentionArgs& a, long r, long end, float* row, float* z) {
  dropout_row(a, static_cast<uint64_t>(r) * a.s, end, 1.0f / (1.0f - a.dropout), z);
  for (long j = 0; j < end; j++) row[j] *= z[j];
}

/**
 * Score row i of block n (raw Q_i·K_jᵀ over the block's e keys) into probabilities in place: P_ij =
 * exp(scale·s + mask − lse_i), zero past the row's end, times the dropout multiplier where dropout is
 * on; writes lse_i (−∞ for a row that sees no key, whose P is all zero). `z` holds at least S floats.
 */
inline void softmax_row(const AttentionArgs& a, long n, long i, long e, float* row, float* z) {
  const long r = n * a.t + i;
  const long end = key_end(a, i), pe = padded_end(end, e);
  const float mx = end > 0 ? finish_scores(a, n, i, end, pe, row) : -INFINITY;
  if (mx == -INFINITY) {
    a.lse[r] = -INFINITY;
    std::memset(row, 0, e * sizeof(float));
    return;
  }
  // One exp per score: e_j = exp(s_j − max) is kept and scaled by 1/Σe (the backward recomputes
  // P as exp(s − lse) from the logsumexp saved here, as flash-attention does; the two agree to an ulp).
  const double sum = lanes_sum(pe, [&](long j) {
    const float ej = exp_f(row[j] - mx);
    row[j] = ej;
    return ej;
  });
  a.lse[r] = mx + std::log(sum);
  const float inv_sum = static_cast<float>(1.0 / sum);
  for (long j = 0; j < pe; j++) row[j] *= inv_sum;
  for (long j = pe; j < e; j++) row[j] = 0.0f;
  if (a.dropout > 0) apply_dropout(a, r, end, row, z);
}

/**
 * The backward's row i of block n, in place over the block's e keys: `prow` from raw scores to P̃ =
 * P ⊙ z (P recomputed from the saved lse), `drow` from dP̃ = dO_i·V_jᵀ to dS = P ⊙ (z ⊙ dP̃ − D_i)·scale,
 * where D_i = dO_i·O_i; both zero past the row's end.
 */
inline void gradient_row(const AttentionArgs& a, long n, long i, long e, float di, float* prow, float* drow, float* z) {
  const long r = n * a.t + i;
  const double l = a.lse[r];
  const long end = l == -INFINITY ? 0 : key_end(a, i), pe = padded_end(end, e);
  if (end > 0) {
    finish_scores(a, n, i, end, pe, prow);
    const float lf = static_cast<float>(l);
    for (long j = 0; j < pe; j++) prow[j] = exp_f(prow[j] - lf);
    const float scale = a.scale;
    if (a.dropout > 0) {
      dropout_row(a, static_cast<uint64_t>(r) * a.s, end, 1.0f / (1.0f - a.dropout), z);
      for (long j = 0; j < end; j++) {
        drow[j] = prow[j] * (drow[j] * z[j] - di) * scale;
        prow[j] *= z[j];
      }
    } else {
      for (long j = 0; j < pe; j++) drow[j] = prow[j] * (drow[j] - di) * scale;
    }
  }
  for (long j = end; j < e; j++) prow[j] = drow[j] = 0.0f;
}

}  // namespace
}  // namespace loom
