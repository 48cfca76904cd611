// Fused scaled dot-product attention, forward and backward, compiled once per instruction set
// (LOOM_ISA); the formulas are reference/attention.ts's (Vaswani et al. eq. 1; flash-attention's
// backward from the saved logsumexp, Dao et al. 2022). One task per row-block n (a batch·head) on the
// pool; each block's products run on the packed GEMM (gemm.cc) reading q/k/v rows in place, with the
// row softmax between them. Scratch is two [T, S] score tiles per thread, reused across blocks and
// calls: nothing [N, T, S] is kept, and the backward recomputes P from the saved logsumexp. Causal
// blocks compute all T·S scores and use the causal part (at T = S = 128 the full GEMM is faster than
// a triangular one would be after its extra bookkeeping).
// Half operands (RowsRef::half: bfloat16, or float16 where AttentionArgs::f16) take one of two paths.
// By default they are widened a block at a time into per-thread scratch as the block starts, and half
// results rounded once as they are stored: the float32 kernel's bits, without float32 copies of whole
// tensors. With AttentionArgs::bf16_products, bfloat16 q, k, v and dOut are multiplied as they are, in
// place, by the vdpbf16ps GEMM (bf16.cc: exact products summed in float32), and P̃ and dS are rounded
// once to bfloat16 before they enter a product, as torch.autocast runs attention; the row math (mask,
// softmax, logsumexp, dS) stays float32.
// Dropout keeps are regenerated from the seed by the reference's hash (attentionDropoutKeep), so the
// backward needs no saved mask and training with attention dropout stays on this path.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "bf16.h"
#include "fmix32.h"
#include "half_rows.h"
#include "kernels.h"
#include "pool.h"
#include "vmath.h"

namespace loom {
namespace LOOM_ISA {
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

struct Scratch {
  std::vector<float> s1, s2, rows_t, rows_s, rows_s2, z;
  std::vector<float> wq, wk, wv, wg;  // widened half rows of q, k, v, dOut for the current block
  std::vector<uint16_t> p16, d16;     // P̃ and dS rounded to bf16 for the bf16 products
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
 * Without a causal mask every row sees every key and the whole block is one product. The bf16 products
 * take 36 rows, three whole 12-row tiles of the vdpbf16ps kernel (at 32, the third tile is a packed
 * 8-row edge: SMALL's attention ran 14% slower).
 */
template <typename E>
constexpr long CAUSAL_ROW_BLOCK = std::is_same_v<E, float> ? 32 : 36;

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

/** The same on bfloat16 operands: exact products summed in float32 by vdpbf16ps (bf16.cc). */
void product(float* c, const uint16_t* a, long lda, bool trans_a, const uint16_t* b, long ldb, bool trans_b, long m, long n, long k,
             bool accumulate = false) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) std::memset(c, 0, m * n * sizeof(float));
    return;
  }
  HalfGemmArgs g{};
  g.a = a, g.b = b, g.out_f32 = c;
  g.batch = 1, g.m = m, g.n = n, g.k = k;
  g.lda = lda, g.ldb = ldb, g.trans_a = trans_a, g.trans_b = trans_b, g.accumulate = accumulate;
  gemm_bf16_layout(g, 1);
}

/** Rows per block and the keys row block [i0, i1) needs (the last row's key_end; all S without a causal mask). */
template <typename E>
inline long row_block(const AttentionArgs& a) { return a.causal ? CAUSAL_ROW_BLOCK<E> : (a.t > 0 ? a.t : 1); }
inline long block_keys(const AttentionArgs& a, long i1) { return a.causal ? key_end(a, i1 - 1) : a.s; }

/**
 * Block n's rows of an operand as the products read them: row 0's address and the row stride. E is
 * float (the float32 products) or uint16_t (bfloat16 bits, for the bf16 products).
 */
template <typename E>
struct BlockRows {
  const E* row0;
  long stride;
};

/**
 * Block n's [rows, cols] rows of `r` for the float32 products: in place for float32, widened into
 * `buf` (contiguous) for half bits — bfloat16, or float16 where `f16` (f16.h); either widening is exact.
 */
BlockRows<float> block_rows(const RowsRef& r, long n, long rows, long cols, std::vector<float>& buf, bool f16) {
  if (!r.half) return {r.data + r.offsets[n], r.stride};
  if (static_cast<long>(buf.size()) < rows * cols) buf.resize(rows * cols);
  const uint16_t* src = r.half + r.offsets[n];
  float* dst = buf.data();
  for (long i = 0; i < rows; i++) widen_half_row(f16, dst + i * cols, src + i * r.stride, cols);
  return {dst, cols};
}

/** Block n's rows of `r` as the E products read them: block_rows for float32 ones, the bfloat16 rows in place for bf16 ones. */
template <typename E>
BlockRows<E> operand_rows(const AttentionArgs& a, const RowsRef& r, long n, long rows, long cols, std::vector<float>& buf) {
  if constexpr (std::is_same_v<E, float>) return block_rows(r, n, rows, cols, buf, a.f16);
  else return {r.half + r.offsets[n], r.stride};
}

/**
 * `count` float32 values (P̃ or dS) as the next product's operand: themselves for the float32
 * products, rounded once to bfloat16 into `buf` for the bf16 ones (as torch.autocast rounds them).
 */
template <typename E>
const E* product_operand(const float* x, long count, std::vector<uint16_t>& buf) {
  if constexpr (std::is_same_v<E, float>) {
    return x;
  } else {
    if (static_cast<long>(buf.size()) < count) buf.resize(count);
    narrow_bf16_row(buf.data(), x, count);
    return buf.data();
  }
}

inline float value_of(float x) { return x; }
inline float value_of(uint16_t bf16) { return widen<false>(bf16); }

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

// Per block n, in row blocks [i0, i1) that see keys [0, e): S = Q·Kᵀ by the GEMM (rows × e, rows e
// apart), softmax rows into P (zero past each row's end), O = P̃·V by the GEMM.
template <typename E>
void forward_block(const AttentionArgs& a, long n) {
  Scratch& sc = scratch();
  sc.fit(a);
  const long T = a.t, Dv = a.dv, RB = row_block<E>(a);
  float* o = sc.rows_t.data();
  const BlockRows<E> q = operand_rows<E>(a, a.q, n, T, a.d, sc.wq), k = operand_rows<E>(a, a.k, n, a.s, a.d, sc.wk);
  const BlockRows<E> v = operand_rows<E>(a, a.v, n, a.s, Dv, sc.wv);
  for (long i0 = 0; i0 < T; i0 += RB) {
    const long i1 = std::min(T, i0 + RB), rows = i1 - i0, e = block_keys(a, i1);
    float* p = sc.s1.data();
    product(p, q.row0 + i0 * q.stride, q.stride, false, k.row0, k.stride, true, rows, e, a.d);
    for (long i = i0; i < i1; i++) softmax_row(a, n, i, e, p + (i - i0) * e, sc.z.data());
    product(o + i0 * Dv, product_operand<E>(p, rows * e, sc.p16), e, false, v.row0, v.stride, false, rows, Dv, e);
  }
  store_rows(a.out, n, o, T, Dv, a.f16);
}

// Per block n, from the saved logsumexp, in row blocks [i0, i1) that see keys [0, e): P recomputed as in
// the forward, dP̃ = dO·Vᵀ, dV += P̃ᵀ·dO, dS = P ⊙ (z ⊙ dP̃ − D)·scale, dQ = dS·K, dK += dSᵀ·Q — five GEMMs.
template <typename E>
void backward_block(const AttentionArgs& a, long n) {
  Scratch& sc = scratch();
  sc.fit(a);
  const long T = a.t, S = a.s, D = a.d, Dv = a.dv, RB = row_block<E>(a);
  float* dv_acc = sc.rows_s.data();   // [S, Dv]
  float* dk_acc = sc.rows_s2.data();  // [S, D]
  float* dq_rows = sc.rows_t.data();  // [T, D]
  const BlockRows<E> q = operand_rows<E>(a, a.q, n, T, D, sc.wq), k = operand_rows<E>(a, a.k, n, S, D, sc.wk);
  const BlockRows<E> v = operand_rows<E>(a, a.v, n, S, Dv, sc.wv), go = operand_rows<E>(a, a.d_out, n, T, Dv, sc.wg);
  if (wanted(a.dv_grad)) std::memset(dv_acc, 0, S * Dv * sizeof(float));
  if (wanted(a.dk)) std::memset(dk_acc, 0, S * D * sizeof(float));
  for (long i0 = 0; i0 < T; i0 += RB) {
    const long i1 = std::min(T, i0 + RB), rows = i1 - i0, e = block_keys(a, i1);
    float* p = sc.s1.data();   // P, then P̃ = P ⊙ z   (rows × e)
    float* dp = sc.s2.data();  // dP̃, then dS
    const E* q0 = q.row0 + i0 * q.stride;
    const E* g0 = go.row0 + i0 * go.stride;
    product(p, q0, q.stride, false, k.row0, k.stride, true, rows, e, D);
    product(dp, g0, go.stride, false, v.row0, v.stride, true, rows, e, Dv);
    for (long i = i0; i < i1; i++) {
      const E* g = go.row0 + i * go.stride;
      const float* o = a.out.data + a.out.offsets[n] + i * a.out.stride;
      const float di = static_cast<float>(lanes_sum(Dv, [&](long c) { return value_of(g[c]) * o[c]; }));
      gradient_row(a, n, i, e, di, p + (i - i0) * e, dp + (i - i0) * e, sc.z.data());
    }
    if (wanted(a.dv_grad)) product(dv_acc, product_operand<E>(p, rows * e, sc.p16), e, true, g0, go.stride, false, e, Dv, rows, true);
    const E* ds = wanted(a.dq) || wanted(a.dk) ? product_operand<E>(dp, rows * e, sc.d16) : nullptr;
    if (wanted(a.dq)) product(dq_rows + i0 * D, ds, e, false, k.row0, k.stride, false, rows, D, e);
    if (wanted(a.dk)) product(dk_acc, ds, e, true, q0, q.stride, false, e, D, rows, true);
  }
  if (wanted(a.dv_grad)) store_rows(a.dv_grad, n, dv_acc, S, Dv, a.f16);
  if (wanted(a.dq)) store_rows(a.dq, n, dq_rows, T, D, a.f16);
  if (wanted(a.dk)) store_rows(a.dk, n, dk_acc, S, D, a.f16);
}

}  // namespace

void attention_forward(const AttentionArgs& a, int threads) {
  void (*task)(void*, int) = a.bf16_products ? [](void* p, int n) { forward_block<uint16_t>(*static_cast<const AttentionArgs*>(p), n); }
                                             : [](void* p, int n) { forward_block<float>(*static_cast<const AttentionArgs*>(p), n); };
  parallel_for(threads, static_cast<int>(a.n), task, const_cast<AttentionArgs*>(&a));
}

void attention_backward(const AttentionArgs& a, int threads) {
  void (*task)(void*, int) = a.bf16_products ? [](void* p, int n) { backward_block<uint16_t>(*static_cast<const AttentionArgs*>(p), n); }
                                             : [](void* p, int n) { backward_block<float>(*static_cast<const AttentionArgs*>(p), n); };
  parallel_for(threads, static_cast<int>(a.n), task, const_cast<AttentionArgs*>(&a));
}

}  // namespace LOOM_ISA
}  // namespace loom
