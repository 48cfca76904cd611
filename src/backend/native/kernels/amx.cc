// bf16 GEMM on AMX tiles (Intel AMX-BF16: TDPBF16PS multiplies a 16×32 bf16 tile by a 32×16 one in
// pair layout into a 16×16 fp32 tile). Both operands are repacked once per call, zero-padded to
// multiples of 32, so that every tile is one contiguous 1 KiB run (rows 64 or 128 bytes apart, not a
// matrix row apart, which would alias in the caches): A as [row block][k chunk][32 rows][32 bf16], B as
// [column block][pair row q][32 columns] of (B[2q][j], B[2q+1][j]) pairs. Each task computes one 32×32
// block of C in four accumulator tiles over the whole k, then merges it into out.
// Linux hands out the tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM), made once.
#include "bf16.h"

#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "pool.h"

namespace loom {
namespace {

constexpr long ARCH_REQ_XCOMP_PERM = 0x1023;
constexpr long XFEATURE_XTILEDATA = 18;

struct TileConfig {
  uint8_t palette_id;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};

/** Tiles 0–3: C (16 rows × 16 fp32); 4, 5: A (16 rows × 32 bf16); 6, 7: B (16 pair rows × 16 columns). */
void configure_tiles() {
  alignas(64) TileConfig cfg{};
  cfg.palette_id = 1;
  for (int t = 0; t < 8; t++) {
    cfg.rows[t] = 16;
    cfg.colsb[t] = 64;
  }
  _tile_loadconfig(&cfg);
}

struct Job {
  const Bf16GemmArgs* g;
  long bi;            // the batch matrix
  long row0;          // first row of the packed panel of A
  const uint16_t* a;  // packed [m_pad / 32][k_pad / 32][32][32]
  const uint32_t* b;  // packed [n_pad / 32][k_pad / 2][32] pairs
  long k_pad, n_pad;
  long col_blocks;
};

// The product's functions also use AVX-512 (every AMX CPU has it), so that the packing and the rounding
// stores vectorise; amx_supported() stays free of it, as it runs on any CPU.
#define LOOM_AMX_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

LOOM_AMX_AVX512 void block_task(void* ctx, int task) {
  const Job& job = *static_cast<const Job*>(ctx);
  const Bf16GemmArgs& g = *job.g;
  static thread_local bool configured = false;
  if (!configured) {
    configure_tiles();
    configured = true;
  }
  const long panel_i = (task / job.col_blocks) * 32;  // row block within the panel
  const long i0 = job.row0 + panel_i;
  const long j0 = (task % job.col_blocks) * 32;
  const uint16_t* a_block = job.a + panel_i * job.k_pad;  // 32 rows × k_pad, chunk-major
  const uint32_t* b_block = job.b + j0 * (job.k_pad / 2);  // k_pad / 2 pair rows × 32 columns
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (long c = 0; c < job.k_pad; c += 32) {
    const uint16_t* a0 = a_block + c * 32;        // chunk c: 32 rows × 32 bf16
    const uint32_t* b0 = b_block + (c / 2) * 32;  // pair rows c/2 .. c/2 + 15
    _tile_loadd(4, a0, 64);
    _tile_loadd(5, a0 + 16 * 32, 64);
    _tile_loadd(6, b0, 128);
    _tile_loadd(7, b0 + 16, 128);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  alignas(64) float tile[32 * 32];
  _tile_stored(0, tile, 128);
  _tile_stored(1, tile + 16, 128);
  _tile_stored(2, tile + 16 * 32, 128);
  _tile_stored(3, tile + 16 * 32 + 16, 128);
  const long mr = std::min<long>(32, g.m - i0), nr = std::min<long>(32, g.n - j0);
  const float* bias = g.bias ? g.bias + j0 : nullptr;
  const long base = job.bi * g.m * g.n + i0 * g.n + j0;
  for (long i = 0; i < mr; i++) {
    const float* t = tile + i * 32;
    if (g.out_bf16) {
      uint16_t* row = g.out_bf16 + base + i * g.n;
      // bias + product, the sum rounded once (as the fp32 kernel's bias rows, then one cast)
      for (long j = 0; j < nr; j++) row[j] = round_to_bf16(bias ? bias[j] + t[j] : t[j]);
    } else {
      float* row = g.out_f32 + base + i * g.n;
      if (g.accumulate) for (long j = 0; j < nr; j++) row[j] += t[j];
      else if (bias) for (long j = 0; j < nr; j++) row[j] = bias[j] + t[j];
      else for (long j = 0; j < nr; j++) row[j] = t[j];
    }
  }
}

bool request_permission() {
  return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
}

}  // namespace

bool amx_supported() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("amx-bf16") && __builtin_cpu_supports("amx-tile") && request_permission();
  }();
  return ok;
}

/** Operands of one batch matrix and their packed buffers. */
struct Pack {
  const Bf16GemmArgs* g;
  const uint16_t* a;
  const uint16_t* b;
  uint16_t* pa;
  uint32_t* pb;
  long k_pad;
  long row0, row_blocks;  // the panel of A packed: 32-row blocks from row0
  long col_blocks;        // B's 32-column blocks packed (0: B already packed)
};

/**
 * Task t < row_blocks packs the panel's 32-row block t, [k_pad / 32][32 rows][32], A(i, p) at
 * (p / 32)·1024 + (i % 32)·32 + p % 32; the others pack B's 32-column block t − row_blocks,
 * [k_pad / 2][32] pairs.
 * Each writes its whole block, the zero padding included.
 */
LOOM_AMX_AVX512 void pack_task(void* ctx, int t) {
  const Pack& pk = *static_cast<const Pack*>(ctx);
  const Bf16GemmArgs& g = *pk.g;
  const long k = g.k, k_pad = pk.k_pad;
  if (t < pk.row_blocks) {
    const long i0 = pk.row0 + static_cast<long>(t) * 32, rows = std::min<long>(32, g.m - i0);
    uint16_t* block = pk.pa + static_cast<long>(t) * 32 * k_pad;
    std::memset(block, 0, 32 * k_pad * sizeof(uint16_t));
    if (!g.trans_a) {
      for (long i = 0; i < rows; i++) {
        const uint16_t* src = pk.a + (i0 + i) * g.lda;
        for (long c = 0; c < k; c += 32) std::memcpy(block + c * 32 + i * 32, src + c, std::min<long>(32, k - c) * sizeof(uint16_t));
      }
    } else {
      for (long p = 0; p < k; p++) {
        const uint16_t* src = pk.a + p * g.lda + i0;  // stored row p of Aᵀ: A(i0.., p)
        uint16_t* chunk = block + (p / 32) * 32 * 32 + (p % 32);
        for (long i = 0; i < rows; i++) chunk[i * 32] = src[i];
      }
    }
    return;
  }
  const long j0 = (t - pk.row_blocks) * 32L, cols = std::min<long>(32, g.n - j0);
  uint32_t* block = pk.pb + j0 * (k_pad / 2);
  std::memset(block, 0, (k_pad / 2) * 32 * sizeof(uint32_t));
  if (!g.trans_b) {
    // Rows p and p + 1 of B, 32 columns each, interleaved word by word into the 32 pairs
    // (B(p, j) | B(p + 1, j) << 16): two two-source word permutes instead of 64 scalar loads. Columns
    // past n load as zeros (masked loads never touch them), as the padding the scalar loop leaves.
    const __mmask32 in_cols = cols >= 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << cols) - 1);
    alignas(64) static constexpr uint16_t LO[32] = {0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39,
                                                    8, 40, 9, 41, 10, 42, 11, 43, 12, 44, 13, 45, 14, 46, 15, 47};
    alignas(64) static constexpr uint16_t HI[32] = {16, 48, 17, 49, 18, 50, 19, 51, 20, 52, 21, 53, 22, 54, 23, 55,
                                                    24, 56, 25, 57, 26, 58, 27, 59, 28, 60, 29, 61, 30, 62, 31, 63};
    const __m512i lo = _mm512_load_si512(LO), hi = _mm512_load_si512(HI);
    for (long q = 0; q < (k + 1) / 2; q++) {
      const long p = 2 * q;
      const __m512i x = _mm512_maskz_loadu_epi16(in_cols, pk.b + p * g.ldb + j0);
      const __m512i y = p + 1 < k ? _mm512_maskz_loadu_epi16(in_cols, pk.b + (p + 1) * g.ldb + j0) : _mm512_setzero_si512();
      _mm512_storeu_si512(block + q * 32, _mm512_permutex2var_epi16(x, lo, y));
      _mm512_storeu_si512(block + q * 32 + 16, _mm512_permutex2var_epi16(x, hi, y));
    }
    return;
  }
  for (long q = 0; q < (k + 1) / 2; q++) {
    const long p = 2 * q;
    const bool second = p + 1 < k;
    uint32_t* dst = block + q * 32;
    for (long j = 0; j < cols; j++) {
      const long col = j0 + j;
      const uint16_t lo = g.trans_b ? pk.b[col * g.ldb + p] : pk.b[p * g.ldb + col];
      const uint16_t hi = second ? (g.trans_b ? pk.b[col * g.ldb + p + 1] : pk.b[(p + 1) * g.ldb + col]) : 0;
      dst[j] = lo | (static_cast<uint32_t>(hi) << 16);
    }
  }
}

LOOM_AMX_AVX512 void gemm_bf16_amx_layout(const Bf16GemmArgs& g, int threads) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  if (g.k == 0) {
    gemm_bf16_layout(g, threads);  // no products: the bias (or zeros) only, as the vdpbf16ps path writes it
    return;
  }
  const long m_pad = (g.m + 31) / 32 * 32, k_pad = (g.k + 31) / 32 * 32, n_pad = (g.n + 31) / 32 * 32;
  // A is packed a panel of rows at a time, about PANEL_BYTES of it (at least 32 rows), so a product
  // with a long k (a weight gradient over every token) needs no packed copy of all of A.
  constexpr long PANEL_BYTES = 4L << 20;
  const long panel_rows = std::min(m_pad, std::max<long>(32, PANEL_BYTES / (k_pad * 2) / 32 * 32));
  // Reused per calling thread (the pool's threads fill them too): fresh zeroed pages per call would
  // cost more than the product; each packing task writes its whole block, padding included.
  static thread_local std::vector<uint16_t> pa;
  static thread_local std::vector<uint32_t> pb;
  if (static_cast<long>(pa.size()) < panel_rows * k_pad) pa.resize(panel_rows * k_pad);
  if (static_cast<long>(pb.size()) < k_pad / 2 * n_pad) pb.resize(k_pad / 2 * n_pad);
  for (long bi = 0; bi < g.batch; bi++) {
    for (long row0 = 0; row0 < m_pad; row0 += panel_rows) {
      const long row_blocks = std::min(panel_rows, m_pad - row0) / 32;
      const long col_blocks = row0 == 0 ? n_pad / 32 : 0;  // B once per batch matrix, with the first panel
      Pack pk{&g, g.a + bi * g.stride_a, g.b + bi * g.stride_b, pa.data(), pb.data(), k_pad, row0, row_blocks, col_blocks};
      parallel_for(threads, static_cast<int>(row_blocks + col_blocks), pack_task, &pk);
      Job job{&g, bi, row0, pa.data(), pb.data(), k_pad, n_pad, n_pad / 32};
      parallel_for(threads, static_cast<int>(row_blocks * job.col_blocks), block_task, &job);
    }
  }
}

void gemm_bf16_amx(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate,
                   int threads) {
  gemm_bf16_amx_layout(simple_bf16_gemm(out, a, b, m, n, k, trans_b, accumulate), threads);
}

}  // namespace loom
