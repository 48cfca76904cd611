// bf16 GEMM on AMX tiles (Intel AMX-BF16: TDPBF16PS multiplies a 16×32 bf16 tile by a 32×16 one in
// pair layout into a 16×16 fp32 tile). Both operands are repacked per call, in panels of a few MiB,
// zero-padded to multiples of 32, so that every tile is one contiguous 1 KiB run (rows 64 or 128 bytes
// apart, not a matrix row apart, which would alias in the caches): A as [row block][k chunk][32 rows]
// [32 bf16], B as [column block][pair row q][32 columns] of (B[2q][j], B[2q+1][j]) pairs. Each task
// computes 32×32 blocks of C in four accumulator tiles over the whole k, then merges them into out.
// Linux hands out the tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM), made once.
#include "bf16.h"

#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "bf16_pack.h"
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
  const HalfGemmArgs* g;
  long bi;            // the batch matrix
  long row0;          // first row of the packed panel of A
  long col0;          // first column of the packed panel of B
  const uint16_t* a;  // packed [panel rows / 32][k_pad / 32][32][32]
  const uint32_t* b;  // packed [panel columns / 32][k_pad / 2][32] pairs
  long k_pad;
  long col_blocks;    // 32-column blocks in the panel of B
  long col_group;     // column blocks per task
  // A read in place (null: packed): row-major A of this batch matrix, rows lda apart, k a multiple of
  // 32, its rows on 64-byte boundaries or B narrow (gemm_bf16_amx_layout); its full 32-row blocks need
  // no packed copy, as a tile is any 16 rows of 64 bytes.
  const uint16_t* a_direct;
  long lda;
};

// The product's functions also use AVX-512 (every AMX CPU has it), so that the packing and the rounding
// stores vectorise; amx_supported() stays free of it, as it runs on any CPU.
#define LOOM_AMX_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

/** round_to_bf16 on 16 lanes: (u + 0x7fff + lsb) >> 16, every NaN to 0xffff (the same integer steps). */
LOOM_AMX_AVX512 inline __m256i round_bf16x16(__m512 v) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), lsb), 16);
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)), _mm512_set1_epi32(0x7f800000));
  r = _mm512_mask_mov_epi32(r, nan, _mm512_set1_epi32(0xffff));
  return _mm512_cvtepi32_epi16(r);
}

/** C block (row block panel_i, column block panel_j of the panels): four accumulator tiles over the whole k, merged into out. */
LOOM_AMX_AVX512 void compute_block(const Job& job, long panel_i, long panel_j) {
  const HalfGemmArgs& g = *job.g;
  const long i0 = job.row0 + panel_i;
  const long j0 = job.col0 + panel_j;
  // A's 32 rows: in place (rows lda apart) where the block is whole, else packed (chunk-major, 32 apart).
  const bool direct = job.a_direct != nullptr && i0 + 32 <= g.m;
  const uint16_t* a_block = direct ? job.a_direct + i0 * job.lda : job.a + panel_i * job.k_pad;
  const long a_row = direct ? job.lda : 32, a_chunk = direct ? 1 : 32;  // elements between rows; per k step
  const uint32_t* b_block = job.b + panel_j * (job.k_pad / 2);  // k_pad / 2 pair rows × 32 columns
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (long c = 0; c < job.k_pad; c += 32) {
    const uint16_t* a0 = a_block + c * a_chunk;   // chunk c: 32 rows × 32 bf16
    const uint32_t* b0 = b_block + (c / 2) * 32;  // pair rows c/2 .. c/2 + 15
    _tile_loadd(4, a0, a_row * 2);
    _tile_loadd(5, a0 + 16 * a_row, a_row * 2);
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
  // 16 columns at a time, masked at the right edge; the arithmetic per element is the scalar form's
  // (bias + product, or out + product), so the bits are the same.
  for (int h = 0; h < 2; h++) {
    const long cols = nr - 16 * h;
    if (cols <= 0) break;
    const __mmask16 k = mask16(cols);
    const __m512 bv = bias ? _mm512_maskz_loadu_ps(k, bias + 16 * h) : _mm512_setzero_ps();
    for (long i = 0; i < mr; i++) {
      const __m512 t = _mm512_load_ps(tile + i * 32 + 16 * h);
      if (g.out_half) {
        // bias + product, the sum rounded once (as the fp32 kernel's bias rows, then one cast)
        _mm256_mask_storeu_epi16(g.out_half + base + i * g.n + 16 * h, k, round_bf16x16(bias ? _mm512_add_ps(bv, t) : t));
      } else {
        float* row = g.out_f32 + base + i * g.n + 16 * h;
        __m512 v = t;
        if (g.accumulate) v = _mm512_add_ps(_mm512_maskz_loadu_ps(k, row), t);
        else if (bias) v = _mm512_add_ps(bv, t);
        _mm512_mask_storeu_ps(row, k, v);
      }
    }
  }
}

/**
 * Task t: row block t / col_groups of the panel against col_group consecutive column blocks, so that
 * the row block's packed A (32 × k_pad bf16) is read from L1 by all of them.
 */
LOOM_AMX_AVX512 void block_task(void* ctx, int task) {
  const Job& job = *static_cast<const Job*>(ctx);
  static thread_local bool configured = false;
  if (!configured) {
    configure_tiles();
    configured = true;
  }
  const long col_groups = (job.col_blocks + job.col_group - 1) / job.col_group;
  const long panel_i = (task / col_groups) * 32;
  const long c0 = (task % col_groups) * job.col_group, c1 = std::min(job.col_blocks, c0 + job.col_group);
  for (long c = c0; c < c1; c++) compute_block(job, panel_i, c * 32);
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

/** A 64-byte-aligned scratch buffer that grows to the largest size asked for (tiles load whole cache lines). */
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { std::free(data_); }
  void* fit(size_t bytes) {
    if (bytes > size_) {
      std::free(data_);
      size_ = (bytes + 63) / 64 * 64;
      data_ = std::aligned_alloc(64, size_);
      if (data_ == nullptr) std::abort();  // built without exceptions: as std::vector's failed growth would
    }
    return data_;
  }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

/** Operands of one batch matrix and their packed buffers. */
struct Pack {
  const HalfGemmArgs* g;
  const uint16_t* a;
  const uint16_t* b;
  uint16_t* pa;
  uint32_t* pb;
  long k_pad;
  long row0, row_blocks;  // the panel of A packed: 32-row blocks from row0
  long col0, col_blocks;  // the panel of B packed: 32-column blocks from col0 (0 blocks: already packed)
  bool a_direct;          // whole 32-row blocks of A are read in place (not packed)
};

/**
 * Task t < row_blocks packs the panel's 32-row block t, [k_pad / 32][32 rows][32], A(i, p) at
 * (p / 32)·1024 + (i % 32)·32 + p % 32; the others pack the 32-column block t − row_blocks of B's
 * panel, [k_pad / 2][32] pairs.
 * Each writes its whole block, the zero padding included.
 */
LOOM_AMX_AVX512 void pack_task(void* ctx, int t) {
  const Pack& pk = *static_cast<const Pack*>(ctx);
  const HalfGemmArgs& g = *pk.g;
  const long k = g.k, k_pad = pk.k_pad;
  if (t < pk.row_blocks) {
    const long i0 = pk.row0 + static_cast<long>(t) * 32, rows = std::min<long>(32, g.m - i0);
    if (pk.a_direct && rows == 32) return;
    uint16_t* block = pk.pa + static_cast<long>(t) * 32 * k_pad;
    if (!g.trans_a) {
      // Chunk c, row i: 32 consecutive bf16 of A's row i0 + i (zeros past k and past the last row).
      for (long c = 0; c < k_pad; c += 32) {
        const __mmask32 kmask = mask32(k - c);
        uint16_t* chunk = block + c * 32;
        for (long i = 0; i < 32; i++) {
          const __m512i v = i < rows ? _mm512_maskz_loadu_epi16(kmask, pk.a + (i0 + i) * g.lda + c) : _mm512_setzero_si512();
          _mm512_storeu_si512(chunk + i * 32, v);
        }
      }
    } else {
      // Aᵀ stored [k, m]: chunk c holds A(i0 + i, c + p) at i·32 + p. Stored rows c + 2q and c + 2q + 1
      // interleave into the 32-bit pairs (A(i, c + 2q), A(i, c + 2q + 1)), i.e. [16 pairs][32 rows] words;
      // two 16×16 word transposes make them [32 rows][16 pairs], the chunk's layout.
      const __mmask32 imask = mask32(rows);
      const __m512i lo_idx = pair_index(false), hi_idx = pair_index(true);
      for (long c = 0; c < k_pad; c += 32) {
        __m512i lo[16], hi[16];
        for (int q = 0; q < 16; q++) {
          const long p = c + 2 * q;
          const __m512i r0 = p < k ? _mm512_maskz_loadu_epi16(imask, pk.a + p * g.lda + i0) : _mm512_setzero_si512();
          const __m512i r1 = p + 1 < k ? _mm512_maskz_loadu_epi16(imask, pk.a + (p + 1) * g.lda + i0) : _mm512_setzero_si512();
          lo[q] = _mm512_permutex2var_epi16(r0, lo_idx, r1);
          hi[q] = _mm512_permutex2var_epi16(r0, hi_idx, r1);
        }
        transpose16x16(lo);
        transpose16x16(hi);
        uint16_t* chunk = block + c * 32;
        for (int i = 0; i < 16; i++) {
          _mm512_storeu_si512(chunk + i * 32, lo[i]);
          _mm512_storeu_si512(chunk + (16 + i) * 32, hi[i]);
        }
      }
    }
    return;
  }
  // B's column block j0: pair row q, column j holds (B(2q, j0 + j), B(2q + 1, j0 + j)); zeros past k and n.
  const long panel_j = (t - pk.row_blocks) * 32L, j0 = pk.col0 + panel_j, cols = std::min<long>(32, g.n - j0);
  uint32_t* block = pk.pb + panel_j * (k_pad / 2);
  if (!g.trans_b) {
    // Stored rows 2q and 2q + 1 interleave into the pairs directly.
    const __mmask32 jmask = mask32(cols);
    const __m512i lo_idx = pair_index(false), hi_idx = pair_index(true);
    for (long q = 0; q < k_pad / 2; q++) {
      const long p = 2 * q;
      const __m512i r0 = p < k ? _mm512_maskz_loadu_epi16(jmask, pk.b + p * g.ldb + j0) : _mm512_setzero_si512();
      const __m512i r1 = p + 1 < k ? _mm512_maskz_loadu_epi16(jmask, pk.b + (p + 1) * g.ldb + j0) : _mm512_setzero_si512();
      _mm512_storeu_si512(block + q * 32, _mm512_permutex2var_epi16(r0, lo_idx, r1));
      _mm512_storeu_si512(block + q * 32 + 16, _mm512_permutex2var_epi16(r0, hi_idx, r1));
    }
  } else {
    // Bᵀ stored [n, k]: stored row j0 + j read as 32-bit words is already the pairs of column j; a
    // 16×16 word transpose per 16 columns and 16 pairs puts them pair row by pair row.
    for (long c = 0; c < k_pad; c += 32) {
      const __mmask32 kmask = mask32(k - c);
      for (int h = 0; h < 2; h++) {
        __m512i r[16];
        for (int j = 0; j < 16; j++) {
          const long col = 16 * h + j;
          r[j] = col < cols ? _mm512_maskz_loadu_epi16(kmask, pk.b + (j0 + col) * g.ldb + c) : _mm512_setzero_si512();
        }
        transpose16x16(r);
        for (int q = 0; q < 16; q++) _mm512_storeu_si512(block + (c / 2 + q) * 32 + 16 * h, r[q]);
      }
    }
  }
}

LOOM_AMX_AVX512 void gemm_bf16_amx_layout(const HalfGemmArgs& g, int threads) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  if (g.k == 0) {
    gemm_bf16_layout(g, threads);  // no products: the bias (or zeros) only, as the vdpbf16ps path writes it
    return;
  }
  const long m_pad = (g.m + 31) / 32 * 32, k_pad = (g.k + 31) / 32 * 32, n_pad = (g.n + 31) / 32 * 32;
  // A is packed a panel of rows at a time, about PANEL_BYTES of it (at least 32 rows), so a product
  // with a long k (a weight gradient over every token) needs no packed copy of all of A. B likewise, a
  // panel of columns at a time: a weight gradient whose B is a whole [tokens, vocab] logits gradient
  // would otherwise pack (and keep, below) a copy as large as that gradient in float32 — 128 MiB at
  // 8192 tokens × 8192 classes. Where B fits one panel (every other product of a transformer), it is
  // packed once with the first panel of A; else each panel of B is packed once and A's panels are
  // packed again for each (A is the small operand there). Every 32×32 block of C still sums the whole
  // k in one task, in the same order, so the panels change no bits.
  constexpr long PANEL_BYTES = 4L << 20;
  constexpr long DIRECT_A_MAX_COLUMNS = 128;
  constexpr long B_PANEL_BYTES = 16L << 20;
  const long panel_rows = std::min(m_pad, std::max<long>(32, PANEL_BYTES / (k_pad * 2) / 32 * 32));
  const long panel_cols = std::min(n_pad, std::max<long>(32, B_PANEL_BYTES / (k_pad * 2) / 32 * 32));
  // Reused per calling thread (the pool's threads fill them too): fresh zeroed pages per call would
  // cost more than the product; each packing task writes its whole block, padding included.
  static thread_local AlignedBuffer pa_buffer, pb_buffer;
  uint16_t* const pa = static_cast<uint16_t*>(pa_buffer.fit(panel_rows * k_pad * sizeof(uint16_t)));
  uint32_t* const pb = static_cast<uint32_t*>(pb_buffer.fit(k_pad / 2 * panel_cols * sizeof(uint32_t)));
  for (long bi = 0; bi < g.batch; bi++) {
    // Row-major A with whole 32-wide k chunks is read in place (all but a ragged last row block) where
    // every tile row starts a cache line: a tile load whose 64-byte rows straddle two lines runs at
    // a third of the speed (measured: 605 against 1,807 GFLOPS for a 2048×384·384×1536 product with
    // both operands 16 bytes off), and a JavaScript ArrayBuffer is only 16-byte aligned. Where B has
    // at most DIRECT_A_MAX_COLUMNS columns, each row block of A is loaded only a few times, and reading
    // it in place, aligned or not, beats packing it (2048×128·128×512 at one thread: 505 → 630 GFLOPS).
    const uint16_t* a_matrix = g.a + bi * g.stride_a;
    const bool a_aligned = reinterpret_cast<uintptr_t>(a_matrix) % 64 == 0 && g.lda % 32 == 0;
    const bool a_direct = !g.trans_a && g.k % 32 == 0 && (a_aligned || n_pad <= DIRECT_A_MAX_COLUMNS);
    for (long col0 = 0; col0 < n_pad; col0 += panel_cols) {
      const long blocks = std::min(panel_cols, n_pad - col0) / 32;
      for (long row0 = 0; row0 < m_pad; row0 += panel_rows) {
        const long row_blocks = std::min(panel_rows, m_pad - row0) / 32;
        const long pack_cols = row0 == 0 ? blocks : 0;  // B's panel once, with the first panel of A
        Pack pk{&g, a_matrix, g.b + bi * g.stride_b, pa, pb, k_pad, row0, row_blocks, col0, pack_cols, a_direct};
        parallel_for(threads, static_cast<int>(row_blocks + pack_cols), pack_task, &pk);
        // A task per row block and all the panel's column blocks where that leaves each thread several
        // tasks; else a task per 32×32 block (a weight gradient's few, long rows).
        const long group = row_blocks >= 4L * std::max(1, threads) ? blocks : 1;
        Job job{&g, bi, row0, col0, pa, pb, k_pad, blocks, group, a_direct ? a_matrix : nullptr, g.lda};
        parallel_for(threads, static_cast<int>(row_blocks * ((blocks + group - 1) / group)), block_task, &job);
      }
    }
  }
}

void gemm_bf16_amx(float* out, const uint16_t* a, const uint16_t* b, long m, long n, long k, bool trans_b, bool accumulate,
                   int threads) {
  gemm_bf16_amx_layout(simple_bf16_gemm(out, a, b, m, n, k, trans_b, accumulate), threads);
}

}  // namespace loom
