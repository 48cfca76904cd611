// float32 GEMM, compiled once per instruction set (LOOM_ISA): BLIS-style blocking with packed panels.
//   for each column block of NC: for each k block of KC: pack B (KC×NC, NR-wide panels)
//     for each row block of MC: pack A (MC×KC, MR-tall panels); MR×NR micro-kernel over the panels
// Packing reads every layout (A or Aᵀ, B or Bᵀ, rows ldA/ldB apart) so the micro-kernel sees one
// format. Register tiles: AVX-512 12×32 (24 zmm accumulators), AVX2 6×16 (12 ymm) — enough independent
// FMAs to cover the FMA latency on both ports. Edge tiles run the same kernel into a scratch tile.
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "f16.h"
#include "kernels.h"
#include "pool.h"

namespace loom {
namespace LOOM_ISA {
namespace {

#ifdef __AVX512F__
constexpr int MR = 12;
constexpr int NR = 32;
#else
constexpr int MR = 6;
constexpr int NR = 16;
#endif
constexpr long KC = 256;
constexpr long MC = MR * 12;
constexpr long NC = 1024;

/**
 * c[MR×NR] (rows ldc apart) = (load_c ? c : bias row or 0) + Σ_p a(i, p)·pb[p·NR + j], pb a packed
 * panel of kc steps. Packed A (Direct false): a(i, p) = pa[p·MR + i]. Direct A: a(i, p) = pa[i·lda + p],
 * MR rows of a row-major A read in place — no packing pass, which for TINY's k = 128 products cost
 * about a quarter of the multiply itself. The rows are reached from MR/3 pointers that step along k,
 * each with row offsets 0, lda and 2·lda (x86 addressing scales 1, 4 and 8 of one index register).
 */
template <bool Direct>
inline void micro_kernel(long kc, const float* __restrict pa, long lda, const float* __restrict pb, float* __restrict c, long ldc,
                         bool load_c, const float* bias) {
#ifdef __AVX512F__
  __m512 acc[MR][2];
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  const float* base[MR / 3];
#pragma GCC unroll 4
  for (int q = 0; q < MR / 3; q++) base[q] = pa + (Direct ? 3 * q * lda : 0);
  for (long p = 0; p < kc; p++) {
    __m512 b0 = _mm512_load_ps(pb);
    __m512 b1 = _mm512_load_ps(pb + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      __m512 a = Direct ? _mm512_set1_ps(base[i / 3][(i % 3) * lda]) : _mm512_set1_ps(pa[i]);
      acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
    }
    if (Direct) {
#pragma GCC unroll 4
      for (int q = 0; q < MR / 3; q++) base[q]++;
    } else {
      pa += MR;
    }
    pb += NR;
  }
  __m512 start0 = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps();
  __m512 start1 = bias ? _mm512_loadu_ps(bias + 16) : _mm512_setzero_ps();
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) {
    float* row = c + i * ldc;
    __m512 s0 = load_c ? _mm512_loadu_ps(row) : start0;
    __m512 s1 = load_c ? _mm512_loadu_ps(row + 16) : start1;
    _mm512_storeu_ps(row, _mm512_add_ps(s0, acc[i][0]));
    _mm512_storeu_ps(row + 16, _mm512_add_ps(s1, acc[i][1]));
  }
#else
  __m256 acc[MR][2];
#pragma GCC unroll 6
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  const float* base[MR / 3];
#pragma GCC unroll 2
  for (int q = 0; q < MR / 3; q++) base[q] = pa + (Direct ? 3 * q * lda : 0);
  for (long p = 0; p < kc; p++) {
    __m256 b0 = _mm256_load_ps(pb);
    __m256 b1 = _mm256_load_ps(pb + 8);
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      __m256 a = Direct ? _mm256_broadcast_ss(base[i / 3] + (i % 3) * lda) : _mm256_broadcast_ss(pa + i);
      acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
    }
    if (Direct) {
#pragma GCC unroll 2
      for (int q = 0; q < MR / 3; q++) base[q]++;
    } else {
      pa += MR;
    }
    pb += NR;
  }
  __m256 start0 = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps();
  __m256 start1 = bias ? _mm256_loadu_ps(bias + 8) : _mm256_setzero_ps();
#pragma GCC unroll 6
  for (int i = 0; i < MR; i++) {
    float* row = c + i * ldc;
    __m256 s0 = load_c ? _mm256_loadu_ps(row) : start0;
    __m256 s1 = load_c ? _mm256_loadu_ps(row + 8) : start1;
    _mm256_storeu_ps(row, _mm256_add_ps(s0, acc[i][0]));
    _mm256_storeu_ps(row + 8, _mm256_add_ps(s1, acc[i][1]));
  }
#endif
}

/** A tile cut by the matrix edge: the full kernel into a scratch tile, then the valid mr×nr part merged. */
template <bool Direct>
void edge_tile(long kc, const float* pa, long lda, const float* pb, float* c, long ldc, bool load_c, const float* bias, long mr, long nr) {
  alignas(64) float tile[MR * NR];
  micro_kernel<Direct>(kc, pa, lda, pb, tile, NR, false, nullptr);
  for (long i = 0; i < mr; i++) {
    float* row = c + i * ldc;
    const float* t = tile + i * NR;
    if (load_c) for (long j = 0; j < nr; j++) row[j] += t[j];
    else if (bias) for (long j = 0; j < nr; j++) row[j] = bias[j] + t[j];
    else for (long j = 0; j < nr; j++) row[j] = t[j];
  }
}

#ifdef __AVX512F__
/**
 * Transposes a 16-row block: rows[r][p0 + q] for q < cols (≤ 16; the rest read as 0) becomes, for each
 * q, one vector of the 16 rows' values, whose first `lanes` floats are stored at dst + q·step. Three
 * shuffle stages (pairs of floats, pairs of doubles, then 128-bit lanes), so a packed panel costs about
 * a third of a shuffle per element instead of one scalar load and store each.
 */
inline void transpose_16(const float* const* rows, long p0, long cols, float* dst, long step, __mmask16 lanes) {
  const __mmask16 load = cols >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << cols) - 1);
  __m512 r[16], t[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; i++) r[i] = _mm512_maskz_loadu_ps(load, rows[i] + p0);
  // In each 128-bit lane: unpacklo(a, b) = a0 b0 a1 b1, unpackhi = a2 b2 a3 b3.
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  // Per group of four rows g: u[g + c] holds, in 128-bit lane L, column 4L + c of those four rows.
#pragma GCC unroll 4
  for (int g = 0; g < 16; g += 4) {
    __m512d a = _mm512_castps_pd(t[g]), b = _mm512_castps_pd(t[g + 1]), c = _mm512_castps_pd(t[g + 2]), d = _mm512_castps_pd(t[g + 3]);
    r[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  // Column 4L + c = lane L of r[c], r[4 + c], r[8 + c], r[12 + c].
#pragma GCC unroll 4
  for (int c = 0; c < 4; c++) {
    __m512 lo01 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x44), hi01 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xee);
    __m512 lo23 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x44), hi23 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xee);
    const __m512 col[4] = {_mm512_shuffle_f32x4(lo01, lo23, 0x88), _mm512_shuffle_f32x4(lo01, lo23, 0xdd),
                           _mm512_shuffle_f32x4(hi01, hi23, 0x88), _mm512_shuffle_f32x4(hi01, hi23, 0xdd)};
#pragma GCC unroll 4
    for (int L = 0; L < 4; L++) {
      long q = 4 * L + c;
      if (q < cols) _mm512_mask_storeu_ps(dst + q * step, lanes, col[L]);
    }
  }
}
#endif

/** Packs op(A)[i0 : i0+mc, p0 : p0+kc] as MR-tall panels (p-major inside a panel), zero-padding the last panel. */
void pack_a(float* __restrict dst, const float* a, long lda, bool trans, long i0, long mc, long p0, long kc) {
  for (long ib = 0; ib < mc; ib += MR) {
    long mr = std::min<long>(MR, mc - ib);
    if (trans) {
      // A stored [k, m]: the MR values of one p are contiguous.
#ifdef __AVX512F__
      const __mmask16 valid = static_cast<__mmask16>((1u << mr) - 1);
      for (long p = 0; p < kc; p++) {
        const float* src = a + (p0 + p) * lda + i0 + ib;
        _mm512_mask_storeu_ps(dst + p * MR, static_cast<__mmask16>((1u << MR) - 1), _mm512_maskz_loadu_ps(valid, src));
      }
#else
      for (long p = 0; p < kc; p++) {
        const float* src = a + (p0 + p) * lda + i0 + ib;
        float* d = dst + p * MR;
        long i = 0;
        for (; i < mr; i++) d[i] = src[i];
        for (; i < MR; i++) d[i] = 0.0f;
      }
#endif
    } else {
      // A stored [m, k]: walk MR rows side by side.
#ifdef __AVX512F__
      // 16 rows at a time through a transpose; rows past the panel (and past mr) repeat its last row
      // and only the MR lanes are stored, the lanes past mr zeroed.
      const float* rows[16];
      for (long i = 0; i < 16; i++) rows[i] = a + (i0 + ib + std::min(i, mr - 1)) * lda + p0;
      const __mmask16 lanes = static_cast<__mmask16>((1u << MR) - 1);
      if (mr < MR) {
        for (long p = 0; p < kc; p++) _mm512_mask_storeu_ps(dst + p * MR, lanes, _mm512_setzero_ps());
        for (long p = 0; p < kc; p += 16) transpose_16(rows, p, std::min<long>(16, kc - p), dst + p * MR, MR, static_cast<__mmask16>((1u << mr) - 1));
      } else {
        for (long p = 0; p < kc; p += 16) transpose_16(rows, p, std::min<long>(16, kc - p), dst + p * MR, MR, lanes);
      }
#else
      const float* rows[MR];
      for (long i = 0; i < MR; i++) rows[i] = a + (i0 + ib + std::min(i, mr - 1)) * lda + p0;
      for (long p = 0; p < kc; p++) {
        float* d = dst + p * MR;
#pragma GCC unroll 12
        for (long i = 0; i < MR; i++) d[i] = rows[i][p];
        for (long i = mr; i < MR; i++) d[i] = 0.0f;
      }
#endif
    }
    dst += MR * kc;
  }
}

/** Packs op(B)[p0 : p0+kc, j0 : j0+nc] as NR-wide panels, zero-padding the last panel. */
void pack_b(float* __restrict dst, const float* b, long ldb, bool trans, long p0, long kc, long j0, long nc) {
  for (long jb = 0; jb < nc; jb += NR) {
    long nr = std::min<long>(NR, nc - jb);
    if (!trans) {
      for (long p = 0; p < kc; p++) {
        const float* src = b + (p0 + p) * ldb + j0 + jb;
        float* d = dst + p * NR;
#ifdef __AVX512F__
        if (nr == NR) {
          _mm512_store_ps(d, _mm512_loadu_ps(src));
          _mm512_store_ps(d + 16, _mm512_loadu_ps(src + 16));
        } else {
          const __mmask16 lo = static_cast<__mmask16>(nr >= 16 ? 0xffff : (1u << nr) - 1);
          const __mmask16 hi = static_cast<__mmask16>(nr <= 16 ? 0 : (1u << (nr - 16)) - 1);
          _mm512_store_ps(d, _mm512_maskz_loadu_ps(lo, src));
          _mm512_store_ps(d + 16, _mm512_maskz_loadu_ps(hi, src + 16));
        }
#else
        if (nr == NR) std::memcpy(d, src, NR * sizeof(float));
        else {
          long j = 0;
          for (; j < nr; j++) d[j] = src[j];
          for (; j < NR; j++) d[j] = 0.0f;
        }
#endif
      }
    } else {
      // B stored [n, k]: NR rows of B side by side (a transpose of an NR × kc block).
#ifdef __AVX512F__
      // Two 16-row transposes per panel; rows past nr repeat the last row, their lanes zeroed.
      for (int half = 0; half < 2; half++) {
        long base = half * 16;
        long valid = std::max<long>(0, std::min<long>(16, nr - base));
        if (valid == 0) {
          for (long p = 0; p < kc; p++) _mm512_store_ps(dst + p * NR + base, _mm512_setzero_ps());
          continue;
        }
        const float* rows[16];
        for (long j = 0; j < 16; j++) rows[j] = b + (j0 + jb + base + std::min(j, valid - 1)) * ldb + p0;
        const __mmask16 lanes = static_cast<__mmask16>(valid >= 16 ? 0xffff : (1u << valid) - 1);
        if (valid < 16) for (long p = 0; p < kc; p++) _mm512_store_ps(dst + p * NR + base, _mm512_setzero_ps());
        for (long p = 0; p < kc; p += 16) transpose_16(rows, p, std::min<long>(16, kc - p), dst + p * NR + base, NR, lanes);
      }
#else
      const float* rows[NR];
      for (long j = 0; j < NR; j++) rows[j] = b + (j0 + jb + std::min(j, nr - 1)) * ldb + p0;
      for (long p = 0; p < kc; p++) {
        float* d = dst + p * NR;
#pragma GCC unroll 32
        for (long j = 0; j < NR; j++) d[j] = rows[j][p];
        for (long j = nr; j < NR; j++) d[j] = 0.0f;
      }
#endif
    }
    dst += NR * kc;
  }
}

struct Scratch {
  float* a = nullptr;
  float* b = nullptr;
};

/** Per-thread packing buffers, allocated once per thread and kept. */
Scratch& scratch() {
  static thread_local Scratch s;
  if (!s.a) {
    s.a = static_cast<float*>(std::aligned_alloc(64, MC * KC * sizeof(float)));
    s.b = static_cast<float*>(std::aligned_alloc(64, KC * NC * sizeof(float)));
  }
  return s;
}

/**
 * The MR×NR tiles of one mc × nc block of C (rows ldc apart) over B's packed panels pb: rows below
 * `direct` read A in place (a_direct + row·lda, whole MR panels), the rest its packed panels pa
 * (row ir at pa + ir·kc). The bias (of this block's columns) starts the sums where !load_c.
 */
inline void block_tiles(long kc, long mc, long nc, const float* a_direct, long lda, long direct, const float* pa, const float* pb,
                        float* c, long ldc, bool load_c, const float* bias) {
  for (long jr = 0; jr < nc; jr += NR) {
    long nr = std::min<long>(NR, nc - jr);
    const float* pbj = pb + jr * kc;
    const float* bias_j = bias ? bias + jr : nullptr;
    for (long ir = 0; ir < mc; ir += MR) {
      long mr = std::min<long>(MR, mc - ir);
      float* ct = c + ir * ldc + jr;
      if (ir < direct) {
        const float* ad = a_direct + ir * lda;
        if (nr == NR) micro_kernel<true>(kc, ad, lda, pbj, ct, ldc, load_c, bias_j);
        else edge_tile<true>(kc, ad, lda, pbj, ct, ldc, load_c, bias_j, mr, nr);
      } else {
        const float* pai = pa + ir * kc;
        if (mr == MR && nr == NR) micro_kernel<false>(kc, pai, 0, pbj, ct, ldc, load_c, bias_j);
        else edge_tile<false>(kc, pai, 0, pbj, ct, ldc, load_c, bias_j, mr, nr);
      }
    }
  }
}

/** The rows [i_begin, i_end) × columns [j_begin, j_end) of one product. */
void gemm_block(const GemmArgs& g, long bi, long i_begin, long i_end, long j_begin, long j_end) {
  Scratch& s = scratch();
  const float* a = g.a + bi * g.stride_a;
  const float* b = g.b + bi * g.stride_b;
  float* c = g.c + bi * g.m * g.n;
  const long n = g.n;
  for (long jc = j_begin; jc < j_end; jc += NC) {
    long nc = std::min(NC, j_end - jc);
    for (long pc = 0; pc < g.k; pc += KC) {
      long kc = std::min(KC, g.k - pc);
      bool first = pc == 0;
      bool load_c = !first || g.accumulate;
      const float* bias = first && g.bias ? g.bias : nullptr;
      pack_b(s.b, b, g.ldb, g.trans_b, pc, kc, jc, nc);
      for (long ic = i_begin; ic < i_end; ic += MC) {
        long mc = std::min(MC, i_end - ic);
        // A row-major ([m, k]) is read in place, whole panels of MR rows; a last partial panel is packed
        // (its missing rows as zeros). Aᵀ is packed whole.
        const long full = g.trans_a ? 0 : mc / MR * MR;
        if (full < mc) pack_a(s.a + full * kc, a, g.lda, g.trans_a, ic + full, mc - full, pc, kc);
        block_tiles(kc, mc, nc, a + ic * g.lda + pc, g.lda, full, s.a, s.b, c + ic * n + jc, n, load_c, bias ? bias + jc : nullptr);
      }
    }
  }
}

long round_up(long x, long to) { return (x + to - 1) / to * to; }

/**
 * How a (batched) product is cut into tasks: one per product, or — with fewer products than threads —
 * each product along its longer side into one piece per thread (unit rows or columns each, a multiple
 * of MR or NR). `Block` computes rows [i0, i1) × columns [j0, j1) of batch matrix bi.
 */
template <class Args, void (*Block)(const Args&, long, long, long, long, long)>
struct Pieces {
  const Args* g;
  long parts = 1;
  bool split_rows = true;
  long unit;

  Pieces(const Args& args, int threads) : g(&args), unit(args.m) {
    if (threads > 1 && args.batch < threads) {
      split_rows = args.m >= args.n;
      unit = split_rows ? round_up((args.m + threads - 1) / threads, MR) : round_up((args.n + threads - 1) / threads, NR);
      parts = split_rows ? (args.m + unit - 1) / unit : (args.n + unit - 1) / unit;
    }
  }

  static void run(void* ctx, int task) {
    const Pieces& p = *static_cast<const Pieces*>(ctx);
    const Args& g = *p.g;
    const long bi = task / p.parts, lo = (task % p.parts) * p.unit;
    const long hi = std::min(p.split_rows ? g.m : g.n, lo + p.unit);
    if (lo >= hi) return;
    if (p.split_rows) Block(g, bi, lo, hi, 0, g.n);
    else Block(g, bi, 0, g.m, lo, hi);
  }

  void run_all(int threads) { parallel_for(threads, static_cast<int>(g->batch * parts), run, this); }
};

// ---- float16 operands ----
// The float32 GEMM above on float16 inputs, read in place: each KC-deep block of op(A) and op(B) is
// widened (VCVTPH2PS, exact) into a per-thread staging block in its stored orientation, then packed by
// pack_a / pack_b as a float32 matrix would be, so the micro-kernel, the blocking and the order of every
// sum are gemm_f32's and the float32 results are its bits on widened copies. No float32 copy of an
// operand exists beyond one block per thread. A float16 out is accumulated in a per-thread MC×NC
// float32 tile over the k blocks (the loop runs jc → ic → pc for that) and rounded once at the end.

/** Rows [r0, r0+rows) × columns [c0, c0+cols) of a float16 matrix (rows ld apart) widened into dst, cols floats a row. */
inline void widen_rows(float* dst, const uint16_t* x, long ld, long r0, long rows, long c0, long cols) {
  for (long r = 0; r < rows; r++) widen_f16_row(dst + r * cols, x + (r0 + r) * ld + c0, cols);
}

struct F16Scratch {
  float* a = nullptr;      // packed A block, MC × KC
  float* b = nullptr;      // packed B block, KC × NC
  float* stage = nullptr;  // one widened block before packing, KC × NC ≥ MC × KC
  float* c = nullptr;      // the float32 tile of a float16 out, MC × NC
};

F16Scratch& f16_scratch() {
  static thread_local F16Scratch s;
  if (!s.a) {
    s.a = static_cast<float*>(std::aligned_alloc(64, MC * KC * sizeof(float)));
    s.b = static_cast<float*>(std::aligned_alloc(64, KC * NC * sizeof(float)));
    s.stage = static_cast<float*>(std::aligned_alloc(64, KC * NC * sizeof(float)));
    s.c = static_cast<float*>(std::aligned_alloc(64, MC * NC * sizeof(float)));
  }
  return s;
}

void gemm_f16_block(const HalfGemmArgs& g, long bi, long i_begin, long i_end, long j_begin, long j_end) {
  F16Scratch& s = f16_scratch();
  const uint16_t* a = g.a + bi * g.stride_a;
  const uint16_t* b = g.b + bi * g.stride_b;
  const long n = g.n;
  for (long jc = j_begin; jc < j_end; jc += NC) {
    long nc = std::min(NC, j_end - jc);
    for (long ic = i_begin; ic < i_end; ic += MC) {
      long mc = std::min(MC, i_end - ic);
      for (long pc = 0; pc < g.k; pc += KC) {
        long kc = std::min(KC, g.k - pc);
        bool first = pc == 0;
        bool load_c = !first || g.accumulate;
        const float* bias = first && g.bias ? g.bias : nullptr;
        // op(B) block [pc, pc+kc) × [jc, jc+nc): stored rows pc… of B, or rows jc… of a transposed B.
        if (g.trans_b) {
          widen_rows(s.stage, b, g.ldb, jc, nc, pc, kc);
          pack_b(s.b, s.stage, kc, true, 0, kc, 0, nc);
        } else {
          widen_rows(s.stage, b, g.ldb, pc, kc, jc, nc);
          pack_b(s.b, s.stage, nc, false, 0, kc, 0, nc);
        }
        if (g.trans_a) {
          widen_rows(s.stage, a, g.lda, pc, kc, ic, mc);
          pack_a(s.a, s.stage, mc, true, 0, mc, 0, kc);
        } else {
          widen_rows(s.stage, a, g.lda, ic, mc, pc, kc);
          pack_a(s.a, s.stage, kc, false, 0, mc, 0, kc);
        }
        float* c = g.out_half ? s.c : g.out_f32 + bi * g.m * n + ic * n + jc;
        block_tiles(kc, mc, nc, nullptr, 0, 0, s.a, s.b, c, g.out_half ? NC : n, load_c, bias ? bias + jc : nullptr);
      }
      if (g.out_half) {
        uint16_t* out = g.out_half + bi * g.m * n + ic * n + jc;
        if (g.k == 0) {
          // No k blocks ran: the rows are the bias (or zeros), as gemm_f32 writes them.
          for (long i = 0; i < mc; i++)
            for (long j = 0; j < nc; j++) s.c[i * NC + j] = g.bias ? g.bias[jc + j] : 0.0f;
        }
        for (long i = 0; i < mc; i++) narrow_f16_row(out + i * n, s.c + i * NC, nc);
      } else if (g.k == 0 && !g.accumulate) {
        float* out = g.out_f32 + bi * g.m * n + ic * n + jc;
        for (long i = 0; i < mc; i++)
          for (long j = 0; j < nc; j++) out[i * n + j] = g.bias ? g.bias[jc + j] : 0.0f;
      }
    }
  }
}

}  // namespace

void gemm_f16(const HalfGemmArgs& g, int threads) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  Pieces<HalfGemmArgs, gemm_f16_block>(g, threads).run_all(threads);  // the same cut as gemm_f32
}

void gemm_f32(const GemmArgs& g, int threads) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  Pieces<GemmArgs, gemm_block>(g, threads).run_all(threads);
}

}  // namespace LOOM_ISA
}  // namespace loom
