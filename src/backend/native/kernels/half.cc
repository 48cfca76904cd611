// Row kernels on bfloat16 tensors: read bf16 operands (widening is a 16-bit shift), compute in float32
// with the same per-element math as the float32 kernels (vmath.h), and write bf16 results rounded once
// to nearest even — the bits the float32 kernel's result would round to, with no float32 copy of the
// operands or the result. Compiled for AVX-512 (the loops vectorise) and called only where the native
// backend has a bf16 GEMM, i.e. on CPUs with AVX-512.
#include "half.h"

#include <algorithm>
#include <cstring>

#include "bf16.h"
#include "pool.h"
#include "vmath.h"

namespace loom {
namespace {

inline float widen(uint16_t h) {
  uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/** Splits [0, n) into 64-element-aligned chunks, one per thread, and runs body(begin, end) on the pool. */
template <typename Body>
void parallel_spans(long n, int threads, Body body) {
  struct Ctx {
    Body* body;
    long n, chunk;
  };
  long pieces = threads > 1 ? threads : 1;
  long chunk = std::max<long>(64, ((n + pieces - 1) / pieces + 63) / 64 * 64);
  Ctx ctx{&body, n, chunk};
  parallel_for(threads, static_cast<int>((n + chunk - 1) / chunk), [](void* p, int t) {
    Ctx& c = *static_cast<Ctx*>(p);
    long begin = t * c.chunk;
    (*c.body)(begin, std::min(c.n, begin + c.chunk));
  }, &ctx);
}

}  // namespace

void gelu_forward_bf16(uint16_t* out, const uint16_t* x, long n, bool tanh_approx, int threads) {
  parallel_spans(n, threads, [&](long b, long e) {
    // One loop per formula, so that each vectorises.
    if (tanh_approx) for (long i = b; i < e; i++) out[i] = round_to_bf16(gelu_tanh_f(widen(x[i])));
    else for (long i = b; i < e; i++) out[i] = round_to_bf16(gelu_erf_f(widen(x[i])));
  });
}

void gelu_backward_bf16(uint16_t* dx, const uint16_t* dy, const uint16_t* x, long n, bool tanh_approx, int threads) {
  parallel_spans(n, threads, [&](long b, long e) {
    if (tanh_approx) for (long i = b; i < e; i++) dx[i] = round_to_bf16(widen(dy[i]) * gelu_tanh_grad_f(widen(x[i])));
    else for (long i = b; i < e; i++) dx[i] = round_to_bf16(widen(dy[i]) * gelu_erf_grad_f(widen(x[i])));
  });
}

}  // namespace loom
