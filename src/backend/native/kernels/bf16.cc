// bf16 GEMM with vdpbf16ps. Each fp32 lane accumulates a[2q]·b[2q] + a[2q+1]·b[2q+1], so both operands
// are packed in k-pairs: A as MR-tall panels of 32-bit (A[i][2q], A[i][2q+1]) pairs broadcast per row,
// B as NR-wide panels where lane j of a pair step holds (B[2q][j], B[2q+1][j]). An odd k is padded
// with a zero. Blocking as the fp32 kernel (gemm.cc): 12×32 register tile, K blocks of KC pairs.
#include "bf16.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bf16_pack.h"
#include "pool.h"

namespace loom {
namespace {

constexpr int MR = 12;
constexpr int NR = 32;
constexpr long KP = 256;  // k-pairs per block (512 products)
constexpr long MC = MR * 12;
constexpr long NC = 1024;

inline uint32_t pair(uint16_t lo, uint16_t hi) { return static_cast<uint32_t>(lo) | (static_cast<uint32_t>(hi) << 16); }

/** The 32-bit word (x[0], x[1]) at any 2-byte-aligned address. */
inline uint32_t load_pair(const uint16_t* x) {
  uint32_t w;
  std::memcpy(&w, x, sizeof w);
  return w;
}

/**
 * Where a micro-kernel's tile of sums goes: C (float32, row stride ldc) started from C itself
 * (load_c), from `bias` (its columns of the tile), or from zero; and, for the last k-block of a bf16
 * result, rounded into `half` (row stride ldh) instead of stored to C.
 */
struct TileOut {
  float* c;
  long ldc;
  bool load_c;
  const float* bias;
  uint16_t* half;
  long ldh;
};

/**
 * C[mr × nr] (+)= A·B over kp pair steps, B packed. A is packed (DIRECT false: `a` an MR-tall panel of
 * pairs, row i of step q at a[q·MR + i]) or read in place (DIRECT true: MR whole rows `lda` elements
 * apart, step q of row i the pair at a + i·lda + 2q) — a pair of a row-major A is two adjacent bf16,
 * so with an even k its rows need no packing.
 */
template <bool DIRECT>
void micro_kernel(long kp, const void* a, long lda, const uint32_t* pb, const TileOut& o, long mr, long nr) {
  __m512 acc[MR][2];
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  const uint32_t* pa = static_cast<const uint32_t*>(a);
  const uint16_t* ra = static_cast<const uint16_t*>(a);
  for (long q = 0; q < kp; q++) {
    __m512bh b0 = (__m512bh)_mm512_load_si512(pb);
    __m512bh b1 = (__m512bh)_mm512_load_si512(pb + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      const uint32_t w = DIRECT ? load_pair(ra + i * lda + 2 * q) : pa[q * MR + i];
      __m512bh av = (__m512bh)_mm512_set1_epi32(static_cast<int>(w));
      acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
      acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
    }
    pb += NR;
  }
  if (mr == MR && nr == NR) {
    const __m512 b0 = o.bias ? _mm512_loadu_ps(o.bias) : _mm512_setzero_ps();
    const __m512 b1 = o.bias ? _mm512_loadu_ps(o.bias + 16) : _mm512_setzero_ps();
    for (int i = 0; i < MR; i++) {
      float* row = o.c ? o.c + i * o.ldc : nullptr;
      const __m512 v0 = _mm512_add_ps(o.load_c ? _mm512_loadu_ps(row) : b0, acc[i][0]);
      const __m512 v1 = _mm512_add_ps(o.load_c ? _mm512_loadu_ps(row + 16) : b1, acc[i][1]);
      if (o.half) {
        uint16_t* h = o.half + i * o.ldh;
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(h), round_to_bf16x16(v0));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(h + 16), round_to_bf16x16(v1));
      } else {
        _mm512_storeu_ps(row, v0);
        _mm512_storeu_ps(row + 16, v1);
      }
    }
    return;
  }
  alignas(64) float tile[MR * NR];
  for (int i = 0; i < MR; i++) {
    _mm512_store_ps(tile + i * NR, acc[i][0]);
    _mm512_store_ps(tile + i * NR + 16, acc[i][1]);
  }
  for (long i = 0; i < mr; i++) {
    float* row = o.c ? o.c + i * o.ldc : nullptr;  // null only where the tile is rounded straight into `half`
    for (long j = 0; j < nr; j++) {
      const float v = (o.load_c ? row[j] : o.bias ? o.bias[j] : 0.0f) + tile[i * NR + j];
      if (o.half) o.half[i * o.ldh + j] = round_to_bf16(v);
      else row[j] = v;
    }
  }
}

/**
 * Packs B's NR-wide panel of columns [j0, j0 + nr) over pair steps [qc, qc + kp) into d ([kp][NR]
 * words: lane j of step q the pair (B[2q][j], B[2q + 1][j])); columns past nr and the missing second
 * product of an odd k's last pair (steps from `full` on) are zero.
 */
void pack_b(const HalfGemmArgs& g, const uint16_t* B, uint32_t* d, long j0, long nr, long qc, long kp, long full) {
  const long ldb = g.ldb;
  if (!g.trans_b) {
    // Stored rows 2q and 2q + 1 interleave into the pairs.
    const __m512i lo_idx = pair_index(false), hi_idx = pair_index(true);
    const __mmask32 jmask = mask32(nr);
    for (long q = 0; q < kp; q++) {
      const uint16_t* r0 = B + 2 * (qc + q) * ldb + j0;
      const __m512i x0 = _mm512_maskz_loadu_epi16(jmask, r0);
      const __m512i x1 = q < full ? _mm512_maskz_loadu_epi16(jmask, r0 + ldb) : _mm512_setzero_si512();
      _mm512_store_si512(d + q * NR, _mm512_permutex2var_epi16(x0, lo_idx, x1));
      _mm512_store_si512(d + q * NR + 16, _mm512_permutex2var_epi16(x0, hi_idx, x1));
    }
    return;
  }
  // Bᵀ stored [n, k]: stored row j read as 32-bit words is already column j's pairs; a 16×16 word
  // transpose per 16 columns and 16 steps puts them step by step. Where the pairs run out (an odd
  // k's last step and past it), the scalar loop.
  for (int h = 0; h < NR / 16; h++) {
    long q = 0;
    for (; q + 16 <= full; q += 16) {
      __m512i r[16];
      for (int j = 0; j < 16; j++) {
        const long col = 16 * h + j;
        r[j] = col < nr ? _mm512_loadu_si512(B + (j0 + col) * ldb + 2 * (qc + q)) : _mm512_setzero_si512();
      }
      transpose16x16(r);
      for (int t = 0; t < 16; t++) _mm512_store_si512(d + (q + t) * NR + 16 * h, r[t]);
    }
    for (int j = 0; j < 16; j++) {
      const long col = 16 * h + j;
      if (col >= nr) {
        for (long p = q; p < kp; p++) d[p * NR + col] = 0;
        continue;
      }
      const uint16_t* row = B + (j0 + col) * ldb + 2 * qc;
      for (long p = q; p < kp; p++) d[p * NR + col] = p < full ? load_pair(row + 2 * p) : pair(row[2 * p], 0);
    }
  }
}

/**
 * Packs A's rows [i0, i0 + mr) over pair steps [qc, qc + kp) into an MR-tall panel d ([kp][MR] words:
 * row i of step q the pair (A[i][2q], A[i][2q + 1])); rows past mr and an odd k's missing products are zero.
 */
void pack_a(const HalfGemmArgs& g, const uint16_t* A, uint32_t* d, long i0, long mr, long qc, long kp, long full) {
  const long lda = g.lda;
  if (mr < MR) std::memset(d, 0, kp * MR * sizeof(uint32_t));
  if (!g.trans_a) {
    for (long i = 0; i < mr; i++) {
      const uint16_t* row = A + (i0 + i) * lda + 2 * qc;
      long q = 0;
      for (; q < full; q++) d[q * MR + i] = load_pair(row + 2 * q);
      for (; q < kp; q++) d[q * MR + i] = pair(row[2 * q], 0);
    }
    return;
  }
  // Aᵀ stored [k, m]: element (i, p) at p·lda + i, so each pair step interleaves two stored rows.
  const __m512i lo_idx = pair_index(false);
  const __mmask32 imask = mask32(mr);
  const __mmask16 store = mask16(mr);
  for (long q = 0; q < kp; q++) {
    const uint16_t* r0 = A + 2 * (qc + q) * lda + i0;
    const __m512i x0 = _mm512_maskz_loadu_epi16(imask, r0);
    const __m512i x1 = q < full ? _mm512_maskz_loadu_epi16(imask, r0 + lda) : _mm512_setzero_si512();
    _mm512_mask_storeu_epi32(d + q * MR, store, _mm512_permutex2var_epi16(x0, lo_idx, x1));
  }
}

struct Task {
  const HalfGemmArgs* g;
  long rows_per_task, chunks;  // row chunks per batch matrix
};

/**
 * Rows of a bf16 result summed over several k-blocks in one float32 scratch: at most about 4 MiB of it
 * (rows × NC columns), so a long product (the logits, [tokens, vocab]) keeps no float32 copy of its
 * rows. Smaller groups pack B again for each: 256 KiB made SMALL's weight gradients (a thread's 768
 * rows in six groups) 5-10% slower.
 */
constexpr long SCRATCH_FLOATS = 1L << 20;

void run_rows_in(const HalfGemmArgs& g, long bi, long i_begin, long i_end);

/**
 * Rows [i_begin, i_end) of batch matrix `bi`. A bf16 result goes in groups of rows whose float32 sums
 * fit the scratch; every element still sums its k-blocks in the same order, so the grouping changes
 * no bits (B's blocks are packed again per group, k·n copies against group·k·n products).
 */
void run_rows(const HalfGemmArgs& g, long bi, long i_begin, long i_end) {
  if (!g.out_half || (g.k + 1) / 2 <= KP) {  // one k-block of a bf16 result needs no scratch
    run_rows_in(g, bi, i_begin, i_end);
    return;
  }
  const long group = std::max<long>(MC, SCRATCH_FLOATS / std::min(NC, g.n) / MC * MC);
  for (long i = i_begin; i < i_end; i += group) run_rows_in(g, bi, i, std::min(i_end, i + group));
}

void run_rows_in(const HalfGemmArgs& g, long bi, long i_begin, long i_end) {
  static thread_local uint32_t* pa_buf = nullptr;
  static thread_local uint32_t* pb_buf = nullptr;
  static thread_local std::vector<float> scratch;  // fp32 sums of a bf16 result's NC-column block
  if (!pa_buf) {
    pa_buf = static_cast<uint32_t*>(std::aligned_alloc(64, MC * KP * sizeof(uint32_t)));
    pb_buf = static_cast<uint32_t*>(std::aligned_alloc(64, KP * NC * sizeof(uint32_t)));
  }
  const uint16_t* A = g.a + bi * g.stride_a;
  const uint16_t* B = g.b + bi * g.stride_b;
  const long pairs = (g.k + 1) / 2;
  const long k = g.k, n = g.n, lda = g.lda;
  // C: the output rows themselves (float32, row length n), or, for a bf16 result summed over more than
  // one k-block, a scratch of the rows' current NC-column block (row length ldc). A bf16 result is
  // rounded from the tile's registers at its last k-block, so one k-block needs no scratch at all.
  const long ldc = g.out_half ? std::min(NC, n) : n;
  if (g.out_half && pairs > KP && static_cast<long>(scratch.size()) < (i_end - i_begin) * ldc) scratch.resize((i_end - i_begin) * ldc);
  // A float32 result with a bias starts from it (accumulate is then not applied); else from C where
  // accumulating. A bf16 result starts from its bias or zero.
  const bool accumulate = !g.out_half && g.accumulate && !g.bias;
  // A row-major A with an even k is read in place by whole MR-row tiles (micro_kernel<true>).
  const bool direct_a = !g.trans_a && k % 2 == 0;
  for (long jc = 0; jc < n; jc += NC) {
    long nc = std::min(NC, n - jc);
    // Row i, column jc + j of C at c_rows[i·ldc + j].
    float* c_rows = !g.out_half ? g.out_f32 + bi * g.m * n + jc : pairs > KP ? scratch.data() - i_begin * ldc : nullptr;
    uint16_t* h_rows = g.out_half ? g.out_half + bi * g.m * n + jc : nullptr;
    for (long qc = 0; qc < pairs; qc += KP) {
      long kp = std::min(KP, pairs - qc);
      // Pair steps whose second product exists (the last one of an odd k's last pair with a zero).
      const long full = std::min(kp, k / 2 - qc);
      const bool last = qc + KP >= pairs;
      for (long jb = 0; jb < nc; jb += NR) pack_b(g, B, pb_buf + jb * kp, jc + jb, std::min<long>(NR, nc - jb), qc, kp, full);
      for (long ic = i_begin; ic < i_end; ic += MC) {
        long mc = std::min(MC, i_end - ic);
        for (long ib = 0; ib < mc; ib += MR) {
          const long mr = std::min<long>(MR, mc - ib);
          if (!(direct_a && mr == MR)) pack_a(g, A, pa_buf + ib * kp, ic + ib, mr, qc, kp, full);
        }
        for (long jr = 0; jr < nc; jr += NR) {
          for (long ir = 0; ir < mc; ir += MR) {
            const long mr = std::min<long>(MR, mc - ir), nr = std::min<long>(NR, nc - jr);
            const TileOut o{c_rows ? c_rows + (ic + ir) * ldc + jr : nullptr, ldc, qc > 0 || accumulate, qc == 0 && g.bias ? g.bias + jc + jr : nullptr,
                            g.out_half && last ? h_rows + (ic + ir) * n + jr : nullptr, n};
            if (direct_a && mr == MR) micro_kernel<true>(kp, A + (ic + ir) * lda + 2 * qc, lda, pb_buf + jr * kp, o, mr, nr);
            else micro_kernel<false>(kp, pa_buf + ir * kp, 0, pb_buf + jr * kp, o, mr, nr);
          }
        }
      }
    }
  }
}

}  // namespace

bool bf16_supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
}

void gemm_bf16_layout(const HalfGemmArgs& g, int threads) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  if (g.k == 0) {
    for (long r = 0; r < g.batch * g.m; r++) {
      for (long j = 0; j < g.n; j++) {
        float v = g.bias ? g.bias[j] : 0.0f;
        if (g.out_half) g.out_half[r * g.n + j] = round_to_bf16(v);
        else if (!g.accumulate) g.out_f32[r * g.n + j] = v;
      }
    }
    return;
  }
  int parts = std::max(1, threads);
  // Row chunks per batch matrix: enough tasks for the threads over the whole batch, MR-aligned.
  long per_matrix = std::max<long>(1, (parts + g.batch - 1) / g.batch);
  long rows = ((g.m + per_matrix - 1) / per_matrix + MR - 1) / MR * MR;
  Task task{&g, rows, (g.m + rows - 1) / rows};
  parallel_for(threads, static_cast<int>(g.batch * task.chunks), [](void* p, int t) {
    const Task& tk = *static_cast<const Task*>(p);
    long bi = t / tk.chunks, i0 = (t % tk.chunks) * tk.rows_per_task;
    run_rows(*tk.g, bi, i0, std::min(tk.g->m, i0 + tk.rows_per_task));
  }, &task);
}

void gemm_bf16(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate, int threads) {
  gemm_bf16_layout(simple_bf16_gemm(out, a, b, m, n, k, trans_b, accumulate), threads);
}

}  // namespace loom
