// Fused scaled dot-product attention, forward and backward, compiled once per instruction set
// (LOOM_ISA); the formulas are reference/attention.ts's (Vaswani et al. eq. 1; flash-attention's
// backward from the saved logsumexp, Dao et al. 2022). One task per row-block n (a batch·head) on the
// pool. Per block, K and V are gathered transposed into per-thread scratch ([D, S] and [Dv, S]), so a
// query row's S scores (and dO·Vᵀ in the backward) are D vectorised passes along a contiguous key row
// instead of S horizontal dot products; P·V, dS·K and dSᵀ·Q are rank-1 updates along the head dim.
// Memory stays O((T + S)·D) per thread besides one score row: nothing [T, S] is kept.
// Dropout keeps are regenerated from the seed by the reference's hash (attentionDropoutKeep), so the
// backward needs no saved mask and training with attention dropout stays on this path.
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "pool.h"
#include "vmath.h"

namespace loom {
namespace LOOM_ISA {
namespace {

inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

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

struct Scratch {
  std::vector<float> kt, vt, row, aux, acc, dk, dv;
  void fit(const AttentionArgs& a) {
    kt.resize(a.d * a.s);
    vt.resize(a.dv * a.s);
    row.resize(a.s);
    aux.resize(a.s);
    acc.resize(a.d > a.dv ? a.d : a.dv);
    dk.resize(a.s * a.d);
    dv.resize(a.s * a.dv);
  }
};

Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

/** dst[c·s + j] = src row j, col c: the [rows, cols] block transposed to [cols, rows]. */
void gather_transposed(float* dst, const RowsRef& src, long block, long rows, long cols) {
  const float* base = src.data + src.offsets[block];
  for (long j = 0; j < rows; j++) {
    const float* r = base + j * src.stride;
    for (long c = 0; c < cols; c++) dst[c * rows + j] = r[c];
  }
}

/**
 * row[0, end) = masked, scaled scores of query row i of block n (−∞ where masked); returns their max.
 * kt is K of the block transposed ([D, S]).
 */
float score_row(const AttentionArgs& a, long n, long i, long end, const float* kt, float* row) {
  const float* q = a.q.data + a.q.offsets[n] + i * a.q.stride;
  const long s = a.s;
  for (long j = 0; j < end; j++) row[j] = 0.0f;
  for (long c = 0; c < a.d; c++) {
    const float qc = q[c];
    const float* kc = kt + c * s;
    for (long j = 0; j < end; j++) row[j] += qc * kc[j];
  }
  const float scale = a.scale;
  for (long j = 0; j < end; j++) row[j] *= scale;
  if (a.mask_bool) {
    const uint8_t* m = a.mask_bool + a.mask_offsets[n] + i * a.mask_stride_t;
    const long ms = a.mask_stride_s;
    for (long j = 0; j < end; j++) row[j] = m[j * ms] != 0 ? row[j] : -INFINITY;
  } else if (a.mask_add) {
    const float* m = a.mask_add + a.mask_offsets[n] + i * a.mask_stride_t;
    const long ms = a.mask_stride_s;
    for (long j = 0; j < end; j++) row[j] += m[j * ms];
  }
  float mx = -INFINITY;
  for (long j = 0; j < end; j++) mx = row[j] > mx ? row[j] : mx;
  return mx;
}

void forward_block(const AttentionArgs& a, long n) {
  Scratch& sc = scratch();
  sc.fit(a);
  gather_transposed(sc.kt.data(), a.k, n, a.s, a.d);
  const float* vblock = a.v.data + a.v.offsets[n];
  const long dvn = a.dv;
  const float keep_scale = a.dropout > 0 ? 1.0f / (1.0f - a.dropout) : 1.0f;
  float* row = sc.row.data();
  float* acc = sc.acc.data();
  for (long i = 0; i < a.t; i++) {
    const long r = n * a.t + i;
    const long end = key_end(a, i);
    float* o = a.out.data + a.out.offsets[n] + i * a.out.stride;
    const float mx = end > 0 ? score_row(a, n, i, end, sc.kt.data(), row) : -INFINITY;
    if (mx == -INFINITY) {
      a.lse[r] = -INFINITY;
      for (long c = 0; c < dvn; c++) o[c] = 0.0f;
      continue;
    }
    const double sum = lanes_sum(end, [&](long j) { return exp_f(row[j] - mx); });
    const double l = mx + std::log(sum);
    a.lse[r] = l;
    const float lf = static_cast<float>(l);
    for (long j = 0; j < end; j++) row[j] = exp_f(row[j] - lf);
    if (a.dropout > 0) {
      const uint64_t base = static_cast<uint64_t>(r) * a.s;
      for (long j = 0; j < end; j++) row[j] *= dropout_scale(a, base + j, keep_scale);
    }
    for (long c = 0; c < dvn; c++) acc[c] = 0.0f;
    for (long j = 0; j < end; j++) {
      const float p = row[j];
      if (p == 0.0f) continue;
      const float* vj = vblock + j * a.v.stride;
      for (long c = 0; c < dvn; c++) acc[c] += p * vj[c];
    }
    for (long c = 0; c < dvn; c++) o[c] = acc[c];
  }
}

void backward_block(const AttentionArgs& a, long n) {
  Scratch& sc = scratch();
  sc.fit(a);
  const long S = a.s, D = a.d, Dv = a.dv;
  gather_transposed(sc.kt.data(), a.k, n, S, D);
  gather_transposed(sc.vt.data(), a.v, n, S, Dv);
  float* dkb = sc.dk.data();
  float* dvb = sc.dv.data();
  std::memset(dkb, 0, S * D * sizeof(float));
  std::memset(dvb, 0, S * Dv * sizeof(float));
  const float* kblock = a.k.data + a.k.offsets[n];
  const float keep_scale = a.dropout > 0 ? 1.0f / (1.0f - a.dropout) : 1.0f;
  float* row = sc.row.data();  // P, then dS
  float* dp = sc.aux.data();   // dP̃ = dO·Vᵀ, then z
  float* dq_row = sc.acc.data();
  for (long i = 0; i < a.t; i++) {
    const long r = n * a.t + i;
    const double l = a.lse[r];
    float* dq = a.dq.data ? a.dq.data + a.dq.offsets[n] + i * a.dq.stride : nullptr;
    if (l == -INFINITY) {
      if (dq) for (long c = 0; c < D; c++) dq[c] = 0.0f;
      continue;
    }
    const long end = key_end(a, i);
    score_row(a, n, i, end, sc.kt.data(), row);
    const float lf = static_cast<float>(l);
    for (long j = 0; j < end; j++) row[j] = exp_f(row[j] - lf);
    const float* g = a.d_out.data + a.d_out.offsets[n] + i * a.d_out.stride;
    const float* o = a.out.data + a.out.offsets[n] + i * a.out.stride;
    const float di = static_cast<float>(lanes_sum(Dv, [&](long c) { return g[c] * o[c]; }));
    // dP̃_ij = dO_i · V_j along the contiguous transposed V rows
    for (long j = 0; j < end; j++) dp[j] = 0.0f;
    for (long c = 0; c < Dv; c++) {
      const float gc = g[c];
      const float* vc = sc.vt.data() + c * S;
      for (long j = 0; j < end; j++) dp[j] += gc * vc[j];
    }
    const float* q = a.q.data + a.q.offsets[n] + i * a.q.stride;
    const uint64_t base = static_cast<uint64_t>(r) * S;
    for (long c = 0; c < D; c++) dq_row[c] = 0.0f;
    for (long j = 0; j < end; j++) {
      const float p = row[j];
      if (p == 0.0f) continue;
      const float z = a.dropout > 0 ? dropout_scale(a, base + j, keep_scale) : 1.0f;
      const float pz = p * z;
      if (pz != 0.0f) {
        float* dvj = dvb + j * Dv;
        for (long c = 0; c < Dv; c++) dvj[c] += pz * g[c];
      }
      const float dss = p * (dp[j] * z - di) * a.scale;
      const float* kj = kblock + j * a.k.stride;
      float* dkj = dkb + j * D;
      for (long c = 0; c < D; c++) {
        dq_row[c] += dss * kj[c];
        dkj[c] += dss * q[c];
      }
    }
    if (dq) for (long c = 0; c < D; c++) dq[c] = dq_row[c];
  }
  for (long j = 0; j < S; j++) {
    if (a.dk.data) std::memcpy(a.dk.data + a.dk.offsets[n] + j * a.dk.stride, dkb + j * D, D * sizeof(float));
    if (a.dv_grad.data) std::memcpy(a.dv_grad.data + a.dv_grad.offsets[n] + j * a.dv_grad.stride, dvb + j * Dv, Dv * sizeof(float));
  }
}

}  // namespace

void attention_forward(const AttentionArgs& a, int threads) {
  parallel_for(threads, static_cast<int>(a.n), [](void* p, int n) { forward_block(*static_cast<const AttentionArgs*>(p), n); },
               const_cast<AttentionArgs*>(&a));
}

void attention_backward(const AttentionArgs& a, int threads) {
  parallel_for(threads, static_cast<int>(a.n), [](void* p, int n) { backward_block(*static_cast<const AttentionArgs*>(p), n); },
               const_cast<AttentionArgs*>(&a));
}

}  // namespace LOOM_ISA
}  // namespace loom
