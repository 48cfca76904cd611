// MurmurHash3's 32-bit finaliser, the mixing step of the counter-based dropout masks (reference/dropout.ts
// and reference/attention.ts fmix32): shared by the dropout kernel (rows.cc) and attention's regenerated
// masks (attention.cc), which must agree with the reference bit for bit. Internal linkage, as
// half_rows.h: each instruction set's translation unit keeps its own copy.
#pragma once
#include <cstdint>

namespace loom {
namespace {

inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

}  // namespace
}  // namespace loom
