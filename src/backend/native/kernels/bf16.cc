// bf16 GEMM with vdpbf16ps. Each fp32 lane accumulates a[2q]·b[2q] + a[2q+1]·b[2q+1], so both operands
// are packed in k-pairs: A as MR-tall panels of 32-bit (A[i][2q], A[i][2q+1]) pairs broadcast per row,
// B as NR-wide panels where lane j of a pair step holds (B[2q][j], B[2q+1][j]). An odd k is padded
// with a zero. Blocking as the fp32 kernel (gemm.cc): 12×32 register tile, K blocks of KC pairs.
#include "bf16.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

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

struct Job {
  float* out;
  const uint16_t* a;
  const uint16_t* b;
  long m, n, k;
  bool trans_b, accumulate;
  long rows_per_task;
};

void run_rows(const Job& g, long i_begin, long i_end) {
  static thread_local uint32_t* pa_buf = nullptr;
  static thread_local uint32_t* pb_buf = nullptr;
  if (!pa_buf) {
    pa_buf = static_cast<uint32_t*>(std::aligned_alloc(64, MC * KP * sizeof(uint32_t)));
    pb_buf = static_cast<uint32_t*>(std::aligned_alloc(64, KP * NC * sizeof(uint32_t)));
  }
  const long pairs = (g.k + 1) / 2;
  const long k = g.k, n = g.n;
  for (long jc = 0; jc < n; jc += NC) {
    long nc = std::min(NC, n - jc);
    for (long qc = 0; qc < pairs; qc += KP) {
      long kp = std::min(KP, pairs - qc);
      // Pair steps whose second product exists (the last one of an odd k pairs with a zero).
      const long full = std::min(kp, k / 2 - qc);
      bool load_c = qc > 0 || g.accumulate;
      // B block: NR-wide panels of kp pair steps; columns past n are zero.
      for (long jb = 0; jb < nc; jb += NR) {
        uint32_t* d = pb_buf + jb * kp;
        const long nr = std::min<long>(NR, nc - jb);
        if (nr < NR) std::memset(d, 0, kp * NR * sizeof(uint32_t));
        if (!g.trans_b) {
          for (long q = 0; q < kp; q++) {
            const long p = 2 * (qc + q);
            const uint16_t* r0 = g.b + p * n + jc + jb;
            const uint16_t* r1 = q < full ? r0 + n : nullptr;
            uint32_t* dq = d + q * NR;
            if (r1) for (long j = 0; j < nr; j++) dq[j] = pair(r0[j], r1[j]);
            else for (long j = 0; j < nr; j++) dq[j] = pair(r0[j], 0);
          }
        } else {
          for (long j = 0; j < nr; j++) {
            const uint16_t* row = g.b + (jc + jb + j) * k + 2 * qc;
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
          for (long i = 0; i < mr; i++) {
            const uint16_t* row = g.a + (ic + ib + i) * k + 2 * qc;
            long q = 0;
            for (; q < full; q++) d[q * MR + i] = pair(row[2 * q], row[2 * q + 1]);
            for (; q < kp; q++) d[q * MR + i] = pair(row[2 * q], 0);
          }
        }
        for (long jr = 0; jr < nc; jr += NR) {
          for (long ir = 0; ir < mc; ir += MR) {
            micro_kernel(kp, pa_buf + ir * kp, pb_buf + jr * kp, g.out + (ic + ir) * g.n + jc + jr, g.n, load_c,
                         std::min<long>(MR, mc - ir), std::min<long>(NR, nc - jr));
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

void gemm_bf16(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate, int threads) {
  if (k == 0) {
    if (!accumulate) std::memset(out, 0, m * n * sizeof(float));
    return;
  }
  int parts = std::max(1, threads);
  long rows = ((m + parts - 1) / parts + MR - 1) / MR * MR;
  Job job{out, a, b, m, n, k, trans_b, accumulate, rows};
  parallel_for(threads, static_cast<int>((m + rows - 1) / rows), [](void* p, int t) {
    const Job& g = *static_cast<const Job*>(p);
    long i0 = t * g.rows_per_task;
    run_rows(g, i0, std::min(g.m, i0 + g.rows_per_task));
  }, &job);
}

}  // namespace loom
