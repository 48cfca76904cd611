// Strided copies between views of one element type (tensor/strided.ts copyView): dimension-merged rows,
// unit-stride rows as memcpy, others element by element. Compiled once, for any x86-64.
#pragma once
#include <cstddef>

namespace loom {

/**
 * dst[dst_offset + Σ i_d·dst_strides[d]] = src[src_offset + Σ i_d·src_strides[d]] for every index i of
 * `sizes` (nd dims, the last one the row), elements of elem_bytes (1, 2, 4 or 8) bytes. The caller has
 * checked that every reached element lies inside both arrays.
 */
void copy_strided(void* dst, const void* src, int elem_bytes, int nd, const long* sizes, const long* dst_strides, const long* src_strides,
                  long dst_offset, long src_offset);

}  // namespace loom
