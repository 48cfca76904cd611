#include "copy.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace loom {
namespace {

template <typename T>
void copy_rows(T* dst, const T* src, int nd, const long* sizes, const long* ds, const long* ss, long dst_offset, long src_offset) {
  const long len = sizes[nd - 1];
  const long d_step = ds[nd - 1], s_step = ss[nd - 1];
  long rows = 1;
  for (int d = 0; d < nd - 1; d++) rows *= sizes[d];
  std::vector<long> index(nd > 1 ? nd - 1 : 1, 0);
  long d_base = dst_offset, s_base = src_offset;
  for (long r = 0; r < rows; r++) {
    if (d_step == 1 && s_step == 1) {
      std::memcpy(dst + d_base, src + s_base, len * sizeof(T));
    } else {
      T* o = dst + d_base;
      const T* i = src + s_base;
      for (long j = 0; j < len; j++) o[j * d_step] = i[j * s_step];
    }
    // Odometer over the outer dims, innermost first (row-major order).
    for (int d = nd - 2; d >= 0; d--) {
      d_base += ds[d];
      s_base += ss[d];
      if (++index[d] < sizes[d]) break;
      d_base -= ds[d] * sizes[d];
      s_base -= ss[d] * sizes[d];
      index[d] = 0;
    }
  }
}

}  // namespace

void copy_strided(void* dst, const void* src, int elem_bytes, int nd, const long* sizes, const long* dst_strides, const long* src_strides,
                  long dst_offset, long src_offset) {
  switch (elem_bytes) {
    case 1: copy_rows(static_cast<uint8_t*>(dst), static_cast<const uint8_t*>(src), nd, sizes, dst_strides, src_strides, dst_offset, src_offset); break;
    case 2: copy_rows(static_cast<uint16_t*>(dst), static_cast<const uint16_t*>(src), nd, sizes, dst_strides, src_strides, dst_offset, src_offset); break;
    case 4: copy_rows(static_cast<uint32_t*>(dst), static_cast<const uint32_t*>(src), nd, sizes, dst_strides, src_strides, dst_offset, src_offset); break;
    default: copy_rows(static_cast<uint64_t*>(dst), static_cast<const uint64_t*>(src), nd, sizes, dst_strides, src_strides, dst_offset, src_offset); break;
  }
}

}  // namespace loom
