// Pool helpers the row kernels share (rows.cc per instruction set, half.cc): split a range of elements
// or of rows into one even share per thread and run a body on each share. Chunks of elements are
// whole multiples of 64, so a share's result does not depend on the thread count (rows.cc's kernels
// keep their bits on any count). Internal linkage: every translation unit, each compiled with its own
// instruction-set flags, gets its own copy, so no AVX-512 instance can stand in for an AVX2 one.
#pragma once
#include <algorithm>

#include "pool.h"
#include "shapes.h"

namespace loom {
namespace {

/** Splits [0, n) into one chunk per thread (rounded up to 64 elements) and runs body(begin, end) on the pool. */
template <typename Body>
void parallel_ranges(long n, int threads, Body body) {
  struct Ctx {
    Body* body;
    long n, chunk;
  };
  long pieces = threads > 1 ? threads : 1;
  long chunk = ((n + pieces - 1) / pieces + 63) / 64 * 64;
  if (chunk <= 0) chunk = 64;
  Ctx ctx{&body, n, chunk};
  int tasks = static_cast<int>((n + chunk - 1) / chunk);
  parallel_for(threads, tasks, [](void* p, int t) {
    Ctx& c = *static_cast<Ctx*>(p);
    long begin = t * c.chunk;
    (*c.body)(begin, std::min(c.n, begin + c.chunk));
  }, &ctx);
}

/** Runs body(task) for task in [0, tasks) on the pool. */
template <typename Body>
void parallel_tasks(long tasks, int threads, Body body) {
  parallel_for(threads, static_cast<int>(tasks), [](void* p, int t) { (*static_cast<Body*>(p))(t); }, &body);
}

/**
 * body(r0, r1) for each chunk [r0, r1) of REDUCE_CHUNK_ROWS rows (shapes.h), on the pool: the chunks of
 * the column reductions, so a kernel run chunk by chunk sums in their order.
 */
template <typename Body>
void parallel_row_chunks(long rows, int threads, Body body) {
  parallel_tasks((rows + REDUCE_CHUNK_ROWS - 1) / REDUCE_CHUNK_ROWS, threads, [&](long chunk) {
    const long r0 = chunk * REDUCE_CHUNK_ROWS;
    body(r0, std::min(rows, r0 + REDUCE_CHUNK_ROWS));
  });
}

/** As parallel_ranges, over whole rows: body(row_begin, row_end), one even share per thread. */
template <typename Body>
void parallel_rows(long rows, int threads, Body body) {
  struct Ctx {
    Body* body;
    long rows, chunk;
  };
  long pieces = threads > 1 ? threads : 1;
  long chunk = std::max<long>(1, (rows + pieces - 1) / pieces);
  Ctx ctx{&body, rows, chunk};
  int tasks = static_cast<int>((rows + chunk - 1) / chunk);
  parallel_for(threads, tasks, [](void* p, int t) {
    Ctx& c = *static_cast<Ctx*>(p);
    long begin = t * c.chunk;
    (*c.body)(begin, std::min(c.rows, begin + c.chunk));
  }, &ctx);
}

}  // namespace
}  // namespace loom
