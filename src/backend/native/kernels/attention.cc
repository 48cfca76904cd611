// Fused scaled dot-product attention, forward and backward, compiled once per instruction set
// (LOOM_ISA); the formulas are reference/attention.ts's (Vaswani et al. eq. 1; flash-attention's
// backward from the saved logsumexp, Dao et al. 2022). One task per row-block n (a batch·head) on the
// pool; each block's products run on the packed GEMM (gemm.cc) reading q/k/v rows in place, with the
// row softmax between them. Scratch is two [T, S] score tiles per thread, reused across blocks and
// calls: nothing [N, T, S] is kept, and the backward recomputes P from the saved logsumexp. Causal
// blocks compute all T·S scores and use the causal part (at T = S = 128 the full GEMM is faster than
// a triangular one would be after its extra bookkeeping).
// Half operands (RowsRef::half: bfloat16, or float16 where AttentionArgs::f16) are widened a block at a time into per-thread scratch as the block
// starts, and half results rounded once as they are stored: the float32 kernel's bits, without float32
// copies of whole tensors.
// Dropout keeps are regenerated from the seed by the reference's hash (attentionDropoutKeep), so the
// backward needs no saved mask and training with attention dropout stays on this path.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "half_rows.h"
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
  std::vector<float> s1, s2, rows_t, rows_s, rows_s2, z;
  std::vector<float> wq, wk, wv, wg;  // widened bf16 rows of q, k, v, dOut for the current block
  void fit(const AttentionArgs& a) {
    long w = a.d > a.dv ? a.d : a.dv;
    z.resize(a.s);
    s1.resize(a.t * a.s);
    s2.resize(a.t * a.s);
    rows_t.resize(a.t * w);
    rows_s.resize(a.s * w);
    rows_s2.resize(a.s * w);
  }
};

/**
 * Query rows per block under a causal mask: a block's rows see keys [0, key_end(last row)) only, so
 * its products skip the keys past that (for T = S = 128 in four blocks, 5/8 of the full products).
 * Without a causal mask every row sees every key and the whole block is one product.
 */
constexpr long CAUSAL_ROW_BLOCK = 32;

Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

/** c[m, n] (contiguous) = op(A)·op(B) (+ c with accumulate) on the calling thread, A and B rows lda/ldb apart (gemm.cc). */
void product(float* c, const float* a, long lda, bool trans_a, const float* b, long ldb, bool trans_b, long m, long n, long k,
             bool accumulate = false) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) std::memset(c, 0, m * n * sizeof(float));
    return;
  }
  GemmArgs g{};
  g.a = a, g.b = b, g.c = c, g.bias = nullptr;
  g.batch = 1, g.m = m, g.n = n, g.k = k;
  g.lda = lda, g.ldb = ldb, g.trans_a = trans_a, g.trans_b = trans_b, g.accumulate = accumulate;
  gemm_f32(g, 1);
}

/** Rows per block and the keys row block [i0, i1) needs (the last row's key_end; all S without a causal mask). */
inline long row_block(const AttentionArgs& a) { return a.causal ? CAUSAL_ROW_BLOCK : (a.t > 0 ? a.t : 1); }
inline long block_keys(const AttentionArgs& a, long i1) { return a.causal ? key_end(a, i1 - 1) : a.s; }

/** Block n's rows of an operand as the products read them: row 0's address and the row stride. */
struct BlockRows {
  const float* row0;
  long stride;
};

/**
 * Block n's [rows, cols] rows of `r`: in place for float32, widened into `buf` (contiguous) for half
 * bits — bfloat16, or float16 where `f16` (f16.h); either widening is exact.
 */
BlockRows block_rows(const RowsRef& r, long n, long rows, long cols, std::vector<float>& buf, bool f16) {
  if (!r.half) return {r.data + r.offsets[n], r.stride};
  if (static_cast<long>(buf.size()) < rows * cols) buf.resize(rows * cols);
  const uint16_t* src = r.half + r.offsets[n];
  float* dst = buf.data();
  for (long i = 0; i < rows; i++) widen_half_row(f16, dst + i * cols, src + i * r.stride, cols);
  return {dst, cols};
}

/** Copies a contiguous [rows, cols] block into the rows of `dst`'s block n (float32 and/or rounded to half). */
void store_rows(const RowsRef& dst, long n, const float* src, long rows, long cols, bool f16) {
  if (dst.data) {
    float* base = dst.data + dst.offsets[n];
    for (long r = 0; r < rows; r++) std::memcpy(base + r * dst.stride, src + r * cols, cols * sizeof(float));
  }
  if (dst.half) {
    uint16_t* base = dst.half + dst.offsets[n];
    for (long r = 0; r < rows; r++) narrow_half_row(f16, base + r * dst.stride, src + r * cols, cols);
  }
}

inline bool wanted(const RowsRef& r) { return r.data || r.half; }

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
float finish_scores(const AttentionArgs& a, long n, long i, long end, long pe, float* row) {
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
void dropout_row(const AttentionArgs& a, uint64_t base, long end, float keep_scale, float* z) {
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
void apply_dropout(const AttentionArgs& a, long r, long end, float* row, float* z) {
  dropout_row(a, static_cast<uint64_t>(r) * a.s, end, 1.0f / (1.0f - a.dropout), z);
  for (long j = 0; j < end; j++) row[j] *= z[j];
}

// Per block n, in row blocks [i0, i1) that see keys [0, e): S = Q·Kᵀ by the GEMM (rows × e, rows e
// apart), softmax rows into P (zero past each row's end), O = P̃·V by the GEMM.
void forward_block(const AttentionArgs& a, long n) {
  Scratch& sc = scratch();
  sc.fit(a);
  const long T = a.t, Dv = a.dv, RB = row_block(a);
  float* o = sc.rows_t.data();
  const BlockRows q = block_rows(a.q, n, T, a.d, sc.wq, a.f16), k = block_rows(a.k, n, a.s, a.d, sc.wk, a.f16), v = block_rows(a.v, n, a.s, Dv, sc.wv, a.f16);
  for (long i0 = 0; i0 < T; i0 += RB) {
    const long i1 = std::min(T, i0 + RB), rows = i1 - i0, e = block_keys(a, i1);
    float* p = sc.s1.data();
    product(p, q.row0 + i0 * q.stride, q.stride, false, k.row0, k.stride, true, rows, e, a.d);
    for (long i = i0; i < i1; i++) {
      const long r = n * T + i;
      float* row = p + (i - i0) * e;
      const long end = key_end(a, i), pe = padded_end(end, e);
      const float mx = end > 0 ? finish_scores(a, n, i, end, pe, row) : -INFINITY;
      if (mx == -INFINITY) {
        a.lse[r] = -INFINITY;
        std::memset(row, 0, e * sizeof(float));
        continue;
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
      if (a.dropout > 0) apply_dropout(a, r, end, row, sc.z.data());
    }
    product(o + i0 * Dv, p, e, false, v.row0, v.stride, false, rows, Dv, e);
  }
  store_rows(a.out, n, o, T, Dv, a.f16);
}

// Per block n, from the saved logsumexp, in row blocks [i0, i1) that see keys [0, e): P recomputed as in
// the forward, dP̃ = dO·Vᵀ, dV += P̃ᵀ·dO, dS = P ⊙ (z ⊙ dP̃ − D)·scale, dQ = dS·K, dK += dSᵀ·Q — five GEMMs.
void backward_block(const AttentionArgs& a, long n) {
  Scratch& sc = scratch();
  sc.fit(a);
  const long T = a.t, S = a.s, D = a.d, Dv = a.dv, RB = row_block(a);
  float* dv_acc = sc.rows_s.data();   // [S, Dv]
  float* dk_acc = sc.rows_s2.data();  // [S, D]
  float* dq_rows = sc.rows_t.data();  // [T, D]
  const BlockRows q = block_rows(a.q, n, T, D, sc.wq, a.f16), k = block_rows(a.k, n, S, D, sc.wk, a.f16), v = block_rows(a.v, n, S, Dv, sc.wv, a.f16);
  const BlockRows go = block_rows(a.d_out, n, T, Dv, sc.wg, a.f16);
  if (wanted(a.dv_grad)) std::memset(dv_acc, 0, S * Dv * sizeof(float));
  if (wanted(a.dk)) std::memset(dk_acc, 0, S * D * sizeof(float));
  const float keep_scale = a.dropout > 0 ? 1.0f / (1.0f - a.dropout) : 1.0f;
  for (long i0 = 0; i0 < T; i0 += RB) {
    const long i1 = std::min(T, i0 + RB), rows = i1 - i0, e = block_keys(a, i1);
    float* p = sc.s1.data();   // P, then P̃ = P ⊙ z   (rows × e)
    float* dp = sc.s2.data();  // dP̃, then dS
    const float* q0 = q.row0 + i0 * q.stride;
    const float* g0 = go.row0 + i0 * go.stride;
    product(p, q0, q.stride, false, k.row0, k.stride, true, rows, e, D);
    product(dp, g0, go.stride, false, v.row0, v.stride, true, rows, e, Dv);
    for (long i = i0; i < i1; i++) {
      const long r = n * T + i;
      float* prow = p + (i - i0) * e;
      float* drow = dp + (i - i0) * e;
      const double l = a.lse[r];
      const long end = l == -INFINITY ? 0 : key_end(a, i), pe = padded_end(end, e);
      if (end > 0) {
        finish_scores(a, n, i, end, pe, prow);
        const float lf = static_cast<float>(l);
        for (long j = 0; j < pe; j++) prow[j] = exp_f(prow[j] - lf);
        const float* g = go.row0 + i * go.stride;
        const float* o = a.out.data + a.out.offsets[n] + i * a.out.stride;
        const float di = static_cast<float>(lanes_sum(Dv, [&](long c) { return g[c] * o[c]; }));
        const float scale = a.scale;
        if (a.dropout > 0) {
          float* z = sc.z.data();
          dropout_row(a, static_cast<uint64_t>(r) * S, end, keep_scale, z);
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
    if (wanted(a.dv_grad)) product(dv_acc, p, e, true, g0, go.stride, false, e, Dv, rows, true);
    if (wanted(a.dq)) product(dq_rows + i0 * D, dp, e, false, k.row0, k.stride, false, rows, D, e);
    if (wanted(a.dk)) product(dk_acc, dp, e, true, q0, q.stride, false, e, D, rows, true);
  }
  if (wanted(a.dv_grad)) store_rows(a.dv_grad, n, dv_acc, S, Dv, a.f16);
  if (wanted(a.dq)) store_rows(a.dq, n, dq_rows, T, D, a.f16);
  if (wanted(a.dk)) store_rows(a.dk, n, dk_acc, S, D, a.f16);
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
