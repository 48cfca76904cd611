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

#include "pool.h"

namespace loom {
namespace {

constexpr int MR = 12;
constexpr int NR = 32;
constexpr long KP = 256;  // k-pairs per block (512 products)
constexpr long MC = MR * 12;
constexpr long NC = 1024;

inline uint32_t pair(uint16_t lo, uint16_t hi) { return static_cast<uint32_t>(lo) | (static_cast<uint32_t>(hi) << 16); }

void micro_kernel(long kp, const uint32_t* pa, const uint32_t* pb, float* c, long ldc, bool load_c, long mr, long nr) {
  __m512 acc[MR][2];
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (long q = 0; q < kp; q++) {
    __m512bh b0 = (__m512bh)_mm512_load_si512(pb);
    __m512bh b1 = (__m512bh)_mm512_load_si512(pb + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      __m512bh av = (__m512bh)_mm512_set1_epi32(static_cast<int>(pa[i]));
      acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
      acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
    }
    pa += MR;
    pb += NR;
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      float* row = c + i * ldc;
      __m512 s0 = load_c ? _mm512_loadu_ps(row) : _mm512_setzero_ps();
      __m512 s1 = load_c ? _mm512_loadu_ps(row + 16) : _mm512_setzero_ps();
      _mm512_storeu_ps(row, _mm512_add_ps(s0, acc[i][0]));
      _mm512_storeu_ps(row + 16, _mm512_add_ps(s1, acc[i][1]));
    }
    return;
  }
  alignas(64) float tile[MR * NR];
  for (int i = 0; i < MR; i++) {
    _mm512_store_ps(tile + i * NR, acc[i][0]);
    _mm512_store_ps(tile + i * NR + 16, acc[i][1]);
  }
  for (long i = 0; i < mr; i++) {
    float* row = c + i * ldc;
    for (long j = 0; j < nr; j++) row[j] = (load_c ? row[j] : 0.0f) + tile[i * NR + j];
  }
}

struct Task {
  const HalfGemmArgs* g;
  long rows_per_task, chunks;  // row chunks per batch matrix
};

/**
 * Rows of a bf16 result summed in one float32 scratch: at most about 4 MiB of it (rows × NC columns),
 * so a long product (the logits, [tokens, vocab]) keeps no float32 copy of its rows.
 */
constexpr long SCRATCH_FLOATS = 1L << 20;

void run_rows_in(const HalfGemmArgs& g, long bi, long i_begin, long i_end);

/**
 * Rows [i_begin, i_end) of batch matrix `bi`. A bf16 result goes in groups of rows whose float32 sums
 * fit the scratch; every element still sums its k-blocks in the same order, so the grouping changes
 * no bits (B's blocks are packed again per group, k·n copies against group·k·n products).
 */
void run_rows(const HalfGemmArgs& g, long bi, long i_begin, long i_end) {
  if (!g.out_half) {
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
  const long k = g.k, n = g.n, lda = g.lda, ldb = g.ldb;
  // C: the output rows themselves (float32, row length n), or a scratch of the rows' current NC-column
  // block (bf16 results, row length ldc), started from the bias and rounded once the block is summed.
  const long ldc = g.out_half ? std::min(NC, n) : n;
  bool started = g.accumulate;
  if (g.out_half) {
    if (static_cast<long>(scratch.size()) < (i_end - i_begin) * ldc) scratch.resize((i_end - i_begin) * ldc);
    started = true;
  } else if (g.bias) {
    started = true;
    float* c = g.out_f32 + bi * g.m * n;
    for (long i = i_begin; i < i_end; i++) std::memcpy(c + i * n, g.bias, n * sizeof(float));
  }
  for (long jc = 0; jc < n; jc += NC) {
    long nc = std::min(NC, n - jc);
    // Row i, column jc + j of C at c_rows[i·ldc + j].
    float* c_rows = g.out_half ? scratch.data() - i_begin * ldc : g.out_f32 + bi * g.m * n + jc;
    if (g.out_half) {
      for (long i = i_begin; i < i_end; i++) {
        if (g.bias) std::memcpy(c_rows + i * ldc, g.bias + jc, nc * sizeof(float));
        else std::memset(c_rows + i * ldc, 0, nc * sizeof(float));
      }
    }
    for (long qc = 0; qc < pairs; qc += KP) {
      long kp = std::min(KP, pairs - qc);
      // Pair steps whose second product exists (the last one of an odd k pairs with a zero).
      const long full = std::min(kp, k / 2 - qc);
      bool load_c = qc > 0 || started;
      // B block: NR-wide panels of kp pair steps; columns past n are zero.
      for (long jb = 0; jb < nc; jb += NR) {
        uint32_t* d = pb_buf + jb * kp;
        const long nr = std::min<long>(NR, nc - jb);
        if (nr < NR) std::memset(d, 0, kp * NR * sizeof(uint32_t));
        if (!g.trans_b) {
          for (long q = 0; q < kp; q++) {
            const long p = 2 * (qc + q);
            const uint16_t* r0 = B + p * ldb + jc + jb;
            const uint16_t* r1 = q < full ? r0 + ldb : nullptr;
            uint32_t* dq = d + q * NR;
            if (r1) for (long j = 0; j < nr; j++) dq[j] = pair(r0[j], r1[j]);
            else for (long j = 0; j < nr; j++) dq[j] = pair(r0[j], 0);
          }
        } else {
          for (long j = 0; j < nr; j++) {
            const uint16_t* row = B + (jc + jb + j) * ldb + 2 * qc;
            long q = 0;
            for (; q < full; q++) d[q * NR + j] = pair(row[2 * q], row[2 * q + 1]);
            for (; q < kp; q++) d[q * NR + j] = pair(row[2 * q], 0);
          }
        }
      }
      for (long ic = i_begin; ic < i_end; ic += MC) {
        long mc = std::min(MC, i_end - ic);
        for (long ib = 0; ib < mc; ib += MR) {
          uint32_t* d = pa_buf + ib * kp;
          const long mr = std::min<long>(MR, mc - ib);
          if (mr < MR) std::memset(d, 0, kp * MR * sizeof(uint32_t));
          if (!g.trans_a) {
            for (long i = 0; i < mr; i++) {
              const uint16_t* row = A + (ic + ib + i) * lda + 2 * qc;
              long q = 0;
              for (; q < full; q++) d[q * MR + i] = pair(row[2 * q], row[2 * q + 1]);
              for (; q < kp; q++) d[q * MR + i] = pair(row[2 * q], 0);
            }
          } else {
            // Aᵀ stored [k, m]: element (i, p) at p·lda + i, so each pair step reads two stored rows.
            for (long q = 0; q < kp; q++) {
              const uint16_t* r0 = A + 2 * (qc + q) * lda + ic + ib;
              uint32_t* dq = d + q * MR;
              if (q < full) for (long i = 0; i < mr; i++) dq[i] = pair(r0[i], r0[lda + i]);
              else for (long i = 0; i < mr; i++) dq[i] = pair(r0[i], 0);
            }
          }
        }
        for (long jr = 0; jr < nc; jr += NR) {
          for (long ir = 0; ir < mc; ir += MR) {
            micro_kernel(kp, pa_buf + ir * kp, pb_buf + jr * kp, c_rows + (ic + ir) * ldc + jr, ldc, load_c,
                         std::min<long>(MR, mc - ir), std::min<long>(NR, nc - jr));
          }
        }
      }
    }
    if (g.out_half) {
      for (long i = i_begin; i < i_end; i++) {
        uint16_t* o = g.out_half + bi * g.m * n + i * n + jc;
        const float* c = c_rows + i * ldc;
        for (long j = 0; j < nc; j++) o[j] = round_to_bf16(c[j]);
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
