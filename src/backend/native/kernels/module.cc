// Node-API glue: one object of kernels per instruction set (`avx512`, `avx2`), each function reading
// its typed arrays in place (no copies) and checking that every array is long enough for the sizes it
// is given before any kernel touches memory, plus `features()` for the runtime dispatch.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define LOOM_ISA avx512
#include "kernels.h"
#undef LOOM_ISA
#define LOOM_ISA avx2
#include "kernels.h"
#undef LOOM_ISA
#include "bf16.h"
#include "copy.h"
#include "half.h"

namespace loom {
namespace {

/** The kernels of one instruction set, as the `data` of every function in its export object. */
struct Table {
  void (*gemm_f32)(const GemmArgs&, int);
  void (*attention_forward)(const AttentionArgs&, int);
  void (*attention_backward)(const AttentionArgs&, int);
  void (*lstm_forward)(float*, float*, float*, float*, const float*, const float*, const float*, const float*, bool, long, long);
  void (*lstm_backward)(float*, float*, float*, const float*, const float*, const float*, const float*, const float*, const float*,
                        const float*, bool, long, long);
  void (*gru_forward)(float*, float*, const float*, const float*, const float*, long, long);
  void (*gru_backward)(float*, float*, float*, const float*, const float*, const float*, const float*, long, long);
  void (*rnn_forward)(float*, const float*, const float*, bool, long);
  void (*rnn_backward)(float*, const float*, const float*, bool, long);
  void (*gelu_forward)(float*, const float*, long, bool, int);
  void (*gelu_backward)(float*, const float*, const float*, long, bool, int);
  void (*dropout)(float*, const float*, long, double, uint32_t, uint32_t, int);
  void (*to_bf16)(uint16_t*, const float*, long, int);
  void (*from_bf16)(float*, const uint16_t*, long, int);
  void (*to_f16)(uint16_t*, const float*, long, int);
  void (*gemm_f16)(const HalfGemmArgs&, int);
  void (*from_f16)(float*, const uint16_t*, long, int);
  void (*layernorm_forward)(float*, float*, float*, const float*, const float*, const float*, long, long, float, int);
  void (*layernorm_backward)(float*, float*, float*, const float*, const float*, const float*, const float*, const float*, long, long, int);
  void (*rmsnorm_forward)(float*, float*, const float*, const float*, long, long, float, int);
  void (*rmsnorm_backward)(float*, float*, const float*, const float*, const float*, const float*, long, long);
  void (*softmax_forward)(float*, const float*, long, long, bool, int);
  void (*softmax_backward)(float*, const float*, const float*, long, long, bool, int);
  void (*cross_entropy_forward)(double*, double*, double*, const float*, const int32_t*, const float*, long, long, int32_t, int);
  void (*cross_entropy_backward)(float*, const float*, const int32_t*, const float*, const double*, const double*, const double*, long,
                                 long, int32_t, int);
  void (*adamw_update)(float*, const float*, float*, float*, float*, long, const AdamWArgs&);
  void (*binary)(int, float*, const float*, const float*, long, int);
  void (*binary_scalar)(int, float*, const float*, float, long);
  void (*binary_rows)(int, float*, const float*, const float*, long, long, bool);
  double (*sum)(const float*, long);
  void (*sum_rows)(float*, const float*, long, long);
  void (*sum_columns)(float*, const float*, long, long, int);
  void (*embedding_forward)(float*, const float*, const int32_t*, long, long);
  void (*embedding_backward)(float*, const float*, const int32_t*, long, long, long);
};

#define LOOM_TABLE(ns)                                                                                                       \
  Table{ns::gemm_f32, ns::attention_forward, ns::attention_backward, ns::lstm_forward, ns::lstm_backward, ns::gru_forward,    \
        ns::gru_backward, ns::rnn_forward, ns::rnn_backward, ns::gelu_forward, ns::gelu_backward, ns::dropout, ns::to_bf16, ns::from_bf16, ns::to_f16, ns::gemm_f16, ns::from_f16, ns::layernorm_forward, ns::layernorm_backward, ns::rmsnorm_forward,   \
        ns::rmsnorm_backward, ns::softmax_forward, ns::softmax_backward, ns::cross_entropy_forward, ns::cross_entropy_backward, \
        ns::adamw_update, ns::binary, ns::binary_scalar, ns::binary_rows, ns::sum, ns::sum_rows, ns::sum_columns,               \
        ns::embedding_forward, ns::embedding_backward}

Table avx512_table = LOOM_TABLE(avx512);
Table avx2_table = LOOM_TABLE(avx2);

/** Thrown (as a pending JS exception) by the argument readers; the callback then returns undefined. */
struct Failed {};

class Args {
 public:
  Args(napi_env env, napi_callback_info info, const char* op) : env_(env), op_(op) {
    size_t argc = kMax;
    napi_get_cb_info(env, info, &argc, argv_, nullptr, &data_);
    argc_ = argc;
  }
  const Table& table() const { return *static_cast<const Table*>(data_); }
  bool failed() const { return failed_; }
  napi_env env() const { return env_; }
  /** Elements of the last array read. */
  long last_length() const { return last_length_; }

  double number(size_t i) {
    double v = 0;
    if (!ok() || i >= argc_ || napi_get_value_double(env_, argv_[i], &v) != napi_ok) fail("argument " + std::to_string(i) + " must be a number");
    return v;
  }
  long integer(size_t i) { return static_cast<long>(number(i)); }
  bool boolean(size_t i) {
    bool v = false;
    if (!ok() || i >= argc_ || napi_get_value_bool(env_, argv_[i], &v) != napi_ok) fail("argument " + std::to_string(i) + " must be a boolean");
    return v;
  }
  /** Whether argument i is a typed array; if so, its element type, length and data. */
  bool typed_array(size_t i, napi_typedarray_type* type, size_t* length, void** data) {
    bool is_typed = false;
    return ok() && i < argc_ && napi_is_typedarray(env_, argv_[i], &is_typed) == napi_ok && is_typed &&
           napi_get_typedarray_info(env_, argv_[i], type, length, data, nullptr, nullptr) == napi_ok;
  }
  /** Any typed array: its data, element type and length (nullptr after a failure). */
  void* any_array(size_t i, const char* name, napi_typedarray_type* type, long* length) {
    size_t n = 0;
    void* data = nullptr;
    if (!typed_array(i, type, &n, &data)) {
      fail(std::string(name) + " must be a typed array");
      return nullptr;
    }
    *length = static_cast<long>(n);
    return data;
  }
  /** Whether argument i is a Uint16Array (half bits). */
  bool is_u16(size_t i) {
    napi_typedarray_type type;
    size_t n = 0;
    void* data = nullptr;
    return typed_array(i, &type, &n, &data) && type == napi_uint16_array;
  }
  /** A typed array of `type` with at least `need` elements, or null (nullptr) when `nullable`. */
  void* array(size_t i, napi_typedarray_type type, long need, const char* name, bool nullable = false) {
    if (!ok()) return nullptr;
    napi_valuetype vt;
    if (i >= argc_ || napi_typeof(env_, argv_[i], &vt) != napi_ok) {
      fail(std::string(name) + " is missing");
      return nullptr;
    }
    if (vt == napi_null || vt == napi_undefined) {
      if (!nullable) fail(std::string(name) + " must not be null");
      return nullptr;
    }
    bool is_typed = false;
    napi_is_typedarray(env_, argv_[i], &is_typed);
    napi_typedarray_type actual;
    size_t length = 0;
    void* data = nullptr;
    if (!is_typed || napi_get_typedarray_info(env_, argv_[i], &actual, &length, &data, nullptr, nullptr) != napi_ok || actual != type) {
      fail(std::string(name) + " has the wrong array type");
      return nullptr;
    }
    last_length_ = static_cast<long>(length);
    if (need < 0 || static_cast<size_t>(need) > length) {
      fail(std::string(name) + " has " + std::to_string(length) + " elements, needs " + std::to_string(need));
      return nullptr;
    }
    return data;
  }
  float* f32(size_t i, long need, const char* name, bool nullable = false) {
    return static_cast<float*>(array(i, napi_float32_array, need, name, nullable));
  }
  double* f64(size_t i, long need, const char* name) { return static_cast<double*>(array(i, napi_float64_array, need, name)); }
  int32_t* i32(size_t i, long need, const char* name) { return static_cast<int32_t*>(array(i, napi_int32_array, need, name)); }
  uint16_t* u16(size_t i, long need, const char* name, bool nullable = false) {
    return static_cast<uint16_t*>(array(i, napi_uint16_array, need, name, nullable));
  }

  /**
   * Rows of an [n, rows, cols] operand from (data, offsets, strideRow) at arguments i, i+1, i+2, each
   * block's rows checked to lie inside data. A null data gives a RowsRef with null data when `nullable`;
   * with `half_ok` a Uint16Array of half bits is taken too (into RowsRef::half, data null).
   */
  RowsRef rows_ref(size_t i, long n, long rows, long cols, const char* name, bool nullable = false, bool half_ok = false) {
    RowsRef ref{nullptr, nullptr, 0};
    const bool half = half_ok && is_u16(i);
    void* data = half ? array(i, napi_uint16_array, 0, name, nullable) : f32(i, 0, name, nullable);
    if (!ok() || !data) return ref;
    long length = last_length_;
    const int32_t* offsets = i32(i + 1, n, name);
    long stride = integer(i + 2);
    if (!ok()) return ref;
    if (stride < 0) fail(std::string(name) + ": negative row stride");
    for (long b = 0; ok() && b < n && rows > 0 && cols > 0; b++) {
      long first = offsets[b];
      if (first < 0 || first + (rows - 1) * stride + cols > length) {
        fail(std::string(name) + ": block " + std::to_string(b) + " (offset " + std::to_string(first) + ") reaches past its " +
             std::to_string(length) + " elements");
      }
    }
    if (half) ref.half = static_cast<uint16_t*>(data);
    else ref.data = static_cast<float*>(data);
    ref.offsets = offsets;
    ref.stride = stride;
    return ref;
  }

 private:
  static constexpr size_t kMax = 40;
  bool ok() const { return !failed_; }
  void fail(const std::string& what) {
    if (failed_) return;
    failed_ = true;
    napi_throw_range_error(env_, nullptr, (std::string("native ") + op_ + ": " + what).c_str());
  }
  napi_env env_;
  const char* op_;
  napi_value argv_[kMax];
  size_t argc_ = 0;
  void* data_ = nullptr;
  bool failed_ = false;
  long last_length_ = 0;
};

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/** Elements from a stored matrix's first element to one past its last (rows `ld` apart). */
long span(long rows, long cols, long ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }
/** Elements reached by `batch` matrices `stride` apart from `offset` (stride ≥ 0). */
long reach(long offset, long stride, long batch, long size) { return size == 0 ? 0 : offset + (batch - 1) * stride + size; }

// gemm(out, a, b, bias|null, batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, ldA, ldB, accumulate, threads)
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a(env, info, "matmul");
  GemmArgs g{};
  g.batch = a.integer(4), g.m = a.integer(5), g.n = a.integer(6), g.k = a.integer(7);
  g.trans_a = a.boolean(8), g.trans_b = a.boolean(9);
  g.stride_a = a.integer(10), g.stride_b = a.integer(11);
  long offset_a = a.integer(12), offset_b = a.integer(13);
  g.lda = a.integer(14), g.ldb = a.integer(15);
  g.accumulate = a.boolean(16);
  int threads = static_cast<int>(a.integer(17));
  if (a.failed()) return nullptr;
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0 || g.k <= 0 || g.stride_a < 0 || g.stride_b < 0 || offset_a < 0 || offset_b < 0) {
    napi_throw_range_error(env, nullptr, "native matmul: sizes must be positive and strides/offsets non-negative");
    return nullptr;
  }
  long rows_a = g.trans_a ? g.k : g.m, cols_a = g.trans_a ? g.m : g.k;
  long rows_b = g.trans_b ? g.n : g.k, cols_b = g.trans_b ? g.k : g.n;
  g.c = a.f32(0, g.batch * g.m * g.n, "out");
  const float* pa = a.f32(1, reach(offset_a, g.stride_a, g.batch, span(rows_a, cols_a, g.lda)), "A");
  const float* pb = a.f32(2, reach(offset_b, g.stride_b, g.batch, span(rows_b, cols_b, g.ldb)), "B");
  g.bias = a.f32(3, g.n, "bias", true);
  if (a.failed()) return nullptr;
  g.a = pa + offset_a;
  g.b = pb + offset_b;
  a.table().gemm_f32(g, threads);
  return undefined(env);
}

// geluForward(out, x, n, tanh, threads) / geluBackward(dx, dy, x, n, tanh, threads)
napi_value GeluForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "geluForward");
  long n = a.integer(2);
  float* out = a.f32(0, n, "out");
  const float* x = a.f32(1, n, "x");
  bool t = a.boolean(3);
  int threads = static_cast<int>(a.integer(4));
  if (a.failed()) return nullptr;
  a.table().gelu_forward(out, x, n, t, threads);
  return undefined(env);
}

napi_value GeluBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "geluBackward");
  long n = a.integer(3);
  float* dx = a.f32(0, n, "dx");
  const float* dy = a.f32(1, n, "dy");
  const float* x = a.f32(2, n, "x");
  bool t = a.boolean(4);
  int threads = static_cast<int>(a.integer(5));
  if (a.failed()) return nullptr;
  a.table().gelu_backward(dx, dy, x, n, t, threads);
  return undefined(env);
}

// dropout(out, x, n, p, seed0, seed1, threads): out may be x (the kernel reads each element before writing it)
napi_value Dropout(napi_env env, napi_callback_info info) {
  Args a(env, info, "dropout");
  long n = a.integer(2);
  float* out = a.f32(0, n, "out");
  const float* x = a.f32(1, n, "x");
  double p = a.number(3);
  uint32_t seed0 = static_cast<uint32_t>(a.number(4)), seed1 = static_cast<uint32_t>(a.number(5));
  int threads = static_cast<int>(a.integer(6));
  if (a.failed()) return nullptr;
  a.table().dropout(out, x, n, p, seed0, seed1, threads);
  return undefined(env);
}

// toBf16 / toF16 (out u16, x f32, n, threads) and fromBf16 / fromF16 (out f32, x u16, n, threads): one
// reader per direction, the half format picked by the table entry.
template <void (*Table::*Narrow)(uint16_t*, const float*, long, int)>
napi_value NarrowToHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, Narrow == &Table::to_bf16 ? "toBf16" : "toF16");
  long n = a.integer(2);
  uint16_t* out = a.u16(0, n, "out");
  const float* x = a.f32(1, n, "x");
  int threads = static_cast<int>(a.integer(3));
  if (a.failed()) return nullptr;
  (a.table().*Narrow)(out, x, n, threads);
  return undefined(env);
}

template <void (*Table::*Widen)(float*, const uint16_t*, long, int)>
napi_value WidenFromHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, Widen == &Table::from_bf16 ? "fromBf16" : "fromF16");
  long n = a.integer(2);
  float* out = a.f32(0, n, "out");
  const uint16_t* x = a.u16(1, n, "x");
  int threads = static_cast<int>(a.integer(3));
  if (a.failed()) return nullptr;
  (a.table().*Widen)(out, x, n, threads);
  return undefined(env);
}

// layerNormForward(out, mean, rstd, x, w, b, rows, cols, eps, threads)
napi_value LayerNormForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "layerNormForward");
  long rows = a.integer(6), cols = a.integer(7);
  float* out = a.f32(0, rows * cols, "out");
  float* mean = a.f32(1, rows, "mean");
  float* rstd = a.f32(2, rows, "rstd");
  const float* x = a.f32(3, rows * cols, "x");
  const float* w = a.f32(4, cols, "w", true);
  const float* b = a.f32(5, cols, "b", true);
  float eps = static_cast<float>(a.number(8));
  int threads = static_cast<int>(a.integer(9));
  if (a.failed()) return nullptr;
  a.table().layernorm_forward(out, mean, rstd, x, w, b, rows, cols, eps, threads);
  return undefined(env);
}

// layerNormBackward(dx, dw, db, dy, x, mean, rstd, w, rows, cols)
napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "layerNormBackward");
  long rows = a.integer(8), cols = a.integer(9);
  float* dx = a.f32(0, rows * cols, "dx", true);
  float* dw = a.f32(1, cols, "dw", true);
  float* db = a.f32(2, cols, "db", true);
  const float* dy = a.f32(3, rows * cols, "dy");
  const float* x = a.f32(4, rows * cols, "x");
  const float* mean = a.f32(5, rows, "mean");
  const float* rstd = a.f32(6, rows, "rstd");
  const float* w = a.f32(7, cols, "w", true);
  int threads = static_cast<int>(a.integer(10));
  if (a.failed()) return nullptr;
  a.table().layernorm_backward(dx, dw, db, dy, x, mean, rstd, w, rows, cols, threads);
  return undefined(env);
}

// rmsNormForward(out, rstd, x, w, rows, cols, eps, threads)
napi_value RmsNormForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "rmsNormForward");
  long rows = a.integer(4), cols = a.integer(5);
  float* out = a.f32(0, rows * cols, "out");
  float* rstd = a.f32(1, rows, "rstd");
  const float* x = a.f32(2, rows * cols, "x");
  const float* w = a.f32(3, cols, "w", true);
  float eps = static_cast<float>(a.number(6));
  int threads = static_cast<int>(a.integer(7));
  if (a.failed()) return nullptr;
  a.table().rmsnorm_forward(out, rstd, x, w, rows, cols, eps, threads);
  return undefined(env);
}

// rmsNormBackward(dx, dw, dy, x, rstd, w, rows, cols)
napi_value RmsNormBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "rmsNormBackward");
  long rows = a.integer(6), cols = a.integer(7);
  float* dx = a.f32(0, rows * cols, "dx", true);
  float* dw = a.f32(1, cols, "dw", true);
  const float* dy = a.f32(2, rows * cols, "dy");
  const float* x = a.f32(3, rows * cols, "x");
  const float* rstd = a.f32(4, rows, "rstd");
  const float* w = a.f32(5, cols, "w", true);
  if (a.failed()) return nullptr;
  a.table().rmsnorm_backward(dx, dw, dy, x, rstd, w, rows, cols);
  return undefined(env);
}

// softmaxForward(out, x, rows, cols, log, threads) / softmaxBackward(dx, dy, y, rows, cols, log, threads)
napi_value SoftmaxForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "softmaxForward");
  long rows = a.integer(2), cols = a.integer(3);
  float* out = a.f32(0, rows * cols, "out");
  const float* x = a.f32(1, rows * cols, "x");
  bool log = a.boolean(4);
  int threads = static_cast<int>(a.integer(5));
  if (a.failed()) return nullptr;
  a.table().softmax_forward(out, x, rows, cols, log, threads);
  return undefined(env);
}

napi_value SoftmaxBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "softmaxBackward");
  long rows = a.integer(3), cols = a.integer(4);
  float* dx = a.f32(0, rows * cols, "dx");
  const float* dy = a.f32(1, rows * cols, "dy");
  const float* y = a.f32(2, rows * cols, "y");
  bool log = a.boolean(5);
  int threads = static_cast<int>(a.integer(6));
  if (a.failed()) return nullptr;
  a.table().softmax_backward(dx, dy, y, rows, cols, log, threads);
  return undefined(env);
}

// crossEntropyForward(lse, nll, smooth, logits, targets, weight, rows, classes, ignoreIndex, threads)
napi_value CrossEntropyForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "crossEntropyForward");
  long rows = a.integer(6), classes = a.integer(7);
  double* lse = a.f64(0, rows, "lse");
  double* nll = a.f64(1, rows, "nll");
  double* smooth = a.f64(2, rows, "smooth");
  const float* logits = a.f32(3, rows * classes, "logits");
  const int32_t* targets = a.i32(4, rows, "targets");
  const float* weight = a.f32(5, classes, "weight", true);
  int32_t ignore = static_cast<int32_t>(a.integer(8));
  int threads = static_cast<int>(a.integer(9));
  if (a.failed()) return nullptr;
  a.table().cross_entropy_forward(lse, nll, smooth, logits, targets, weight, rows, classes, ignore, threads);
  return undefined(env);
}

// crossEntropyBackward(dlogits, logits, targets, weight, lse, gNll, gSmooth, rows, classes, ignoreIndex, threads)
napi_value CrossEntropyBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "crossEntropyBackward");
  long rows = a.integer(7), classes = a.integer(8);
  float* dlogits = a.f32(0, rows * classes, "dlogits");
  const float* logits = a.f32(1, rows * classes, "logits");
  const int32_t* targets = a.i32(2, rows, "targets");
  const float* weight = a.f32(3, classes, "weight", true);
  const double* lse = a.f64(4, rows, "lse");
  const double* g_nll = a.f64(5, rows, "gNll");
  const double* g_smooth = a.f64(6, rows, "gSmooth");
  int32_t ignore = static_cast<int32_t>(a.integer(9));
  int threads = static_cast<int>(a.integer(10));
  if (a.failed()) return nullptr;
  a.table().cross_entropy_backward(dlogits, logits, targets, weight, lse, g_nll, g_smooth, rows, classes, ignore, threads);
  return undefined(env);
}

// adamw(param, grad, expAvg, expAvgSq, maxExpAvgSq|null, lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt, decoupled, maximize)
napi_value AdamW(napi_env env, napi_callback_info info) {
  Args a(env, info, "adamwUpdate");
  AdamWArgs h{};
  h.lr = static_cast<float>(a.number(5)), h.beta1 = static_cast<float>(a.number(6)), h.beta2 = static_cast<float>(a.number(7));
  h.eps = static_cast<float>(a.number(8)), h.weight_decay = static_cast<float>(a.number(9));
  h.step_size = a.number(10), h.bias_correction2_sqrt = a.number(11);
  h.decoupled = a.boolean(12), h.maximize = a.boolean(13);
  if (a.failed()) return nullptr;
  float* param = a.f32(0, 0, "param");
  long n = a.last_length();
  const float* grad = a.f32(1, n, "grad");
  float* m = a.f32(2, n, "expAvg");
  float* v = a.f32(3, n, "expAvgSq");
  float* vmax = a.f32(4, n, "maxExpAvgSq", true);
  if (a.failed()) return nullptr;
  a.table().adamw_update(param, grad, m, v, vmax, n, h);
  return undefined(env);
}

// binary(op, out, a, b, n, threads) / binaryScalar(op, out, a, y, n) / binaryRows(op, out, full, block, rows, cols, swapped)
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info, "binary");
  int op = static_cast<int>(a.integer(0));
  long n = a.integer(4);
  float* out = a.f32(1, n, "out");
  const float* x = a.f32(2, n, "a");
  const float* y = a.f32(3, n, "b");
  int threads = static_cast<int>(a.integer(5));
  if (a.failed()) return nullptr;
  a.table().binary(op, out, x, y, n, threads);
  return undefined(env);
}

napi_value BinaryScalar(napi_env env, napi_callback_info info) {
  Args a(env, info, "binaryScalar");
  int op = static_cast<int>(a.integer(0));
  long n = a.integer(4);
  float* out = a.f32(1, n, "out");
  const float* x = a.f32(2, n, "a");
  float y = static_cast<float>(a.number(3));
  if (a.failed()) return nullptr;
  a.table().binary_scalar(op, out, x, y, n);
  return undefined(env);
}

napi_value BinaryRows(napi_env env, napi_callback_info info) {
  Args a(env, info, "binaryRows");
  int op = static_cast<int>(a.integer(0));
  long rows = a.integer(4), cols = a.integer(5);
  float* out = a.f32(1, rows * cols, "out");
  const float* full = a.f32(2, rows * cols, "full");
  const float* block = a.f32(3, cols, "block");
  bool swapped = a.boolean(6);
  if (a.failed()) return nullptr;
  a.table().binary_rows(op, out, full, block, rows, cols, swapped);
  return undefined(env);
}

// sum(x, n) → number / sumRows(out, x, rows, cols) / sumColumns(out, x, rows, cols)
napi_value Sum(napi_env env, napi_callback_info info) {
  Args a(env, info, "sum");
  long n = a.integer(1);
  const float* x = a.f32(0, n, "x");
  if (a.failed()) return nullptr;
  napi_value result;
  napi_create_double(env, a.table().sum(x, n), &result);
  return result;
}

napi_value SumRows(napi_env env, napi_callback_info info) {
  Args a(env, info, "sumRows");
  long rows = a.integer(2), cols = a.integer(3);
  float* out = a.f32(0, rows, "out");
  const float* x = a.f32(1, rows * cols, "x");
  if (a.failed()) return nullptr;
  a.table().sum_rows(out, x, rows, cols);
  return undefined(env);
}

napi_value SumColumns(napi_env env, napi_callback_info info) {
  Args a(env, info, "sumColumns");
  long rows = a.integer(2), cols = a.integer(3);
  float* out = a.f32(0, cols, "out");
  const float* x = a.f32(1, rows * cols, "x");
  int threads = static_cast<int>(a.integer(4));
  if (a.failed()) return nullptr;
  a.table().sum_columns(out, x, rows, cols, threads);
  return undefined(env);
}

// embeddingForward(out, weight, ids, n, dim, num) / embeddingBackward(dWeight, dOut, ids, n, dim, num, paddingIdx|-1)
// Ids are checked against num by the caller (reference/embedding.ts checkEmbeddingIds) before this runs.
napi_value EmbeddingForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "embeddingForward");
  long n = a.integer(3), dim = a.integer(4), num = a.integer(5);
  float* out = a.f32(0, n * dim, "out");
  const float* weight = a.f32(1, num * dim, "weight");
  const int32_t* ids = a.i32(2, n, "ids");
  if (a.failed()) return nullptr;
  a.table().embedding_forward(out, weight, ids, n, dim);
  return undefined(env);
}

napi_value EmbeddingBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "embeddingBackward");
  long n = a.integer(3), dim = a.integer(4), num = a.integer(5);
  float* dweight = a.f32(0, num * dim, "dWeight");
  const float* dout = a.f32(1, n * dim, "dOut");
  const int32_t* ids = a.i32(2, n, "ids");
  long padding = a.integer(6);
  if (a.failed()) return nullptr;
  a.table().embedding_backward(dweight, dout, ids, n, dim, padding);
  return undefined(env);
}

// gemmBf16(out f32, a u16, b u16, m, n, k, transB, accumulate, threads, amx): out[m,n] (+)= A[m,k] · op(B)
// with A and B holding bfloat16 bits; products in fp32 by AMX tiles (amx true, where supported) or
// vdpbf16ps (AVX-512 BF16).
napi_value GemmBf16(napi_env env, napi_callback_info info) {
  Args a(env, info, "matmulBf16");
  long m = a.integer(3), n = a.integer(4), k = a.integer(5);
  bool trans_b = a.boolean(6), accumulate = a.boolean(7);
  int threads = static_cast<int>(a.integer(8));
  bool amx = a.boolean(9);
  float* out = a.f32(0, m * n, "out");
  const uint16_t* pa = a.u16(1, m * k, "A");
  const uint16_t* pb = a.u16(2, k * n, "B");
  if (a.failed()) return nullptr;
  if (!bf16_supported()) {
    napi_throw_error(env, nullptr, "native matmulBf16: this CPU has no AVX-512 BF16 instructions");
    return nullptr;
  }
  if (amx && !amx_supported()) {
    napi_throw_error(env, nullptr, "native matmulBf16: this CPU (or OS) offers no AMX-BF16 tiles");
    return nullptr;
  }
  if (m > 0 && n > 0) {
    if (amx && k > 0) gemm_bf16_amx(out, pa, pb, m, n, k, trans_b, accumulate, threads);
    else gemm_bf16(out, pa, pb, m, n, k, trans_b, accumulate, threads);
  }
  return undefined(env);
}

/**
 * Reads a half-operand product's arguments — (out f32|u16, a u16, b u16, bias f32|null, batch, m, n, k,
 * transA, transB, strideA, strideB, offsetA, offsetB, ldA, ldB, accumulate, …) — into g, checking the
 * sizes and every operand's span. false (with a JS exception pending) when they do not hold.
 */
bool read_half_gemm(napi_env env, Args& a, HalfGemmArgs& g, bool out_half, const char* op) {
  g.batch = a.integer(4), g.m = a.integer(5), g.n = a.integer(6), g.k = a.integer(7);
  g.trans_a = a.boolean(8), g.trans_b = a.boolean(9);
  g.stride_a = a.integer(10), g.stride_b = a.integer(11);
  long offset_a = a.integer(12), offset_b = a.integer(13);
  g.lda = a.integer(14), g.ldb = a.integer(15);
  g.accumulate = a.boolean(16);
  if (a.failed()) return false;
  if (g.batch < 0 || g.m < 0 || g.n < 0 || g.k < 0 || g.stride_a < 0 || g.stride_b < 0 || offset_a < 0 || offset_b < 0 ||
      g.lda < (g.trans_a ? g.m : g.k) || g.ldb < (g.trans_b ? g.k : g.n) || (out_half && g.accumulate)) {
    std::string message = std::string("native ") + op + ": sizes must be non-negative, ldA/ldB at least the row lengths, and a half out cannot accumulate";
    napi_throw_range_error(env, nullptr, message.c_str());
    return false;
  }
  long rows_a = g.trans_a ? g.k : g.m, cols_a = g.trans_a ? g.m : g.k;
  long rows_b = g.trans_b ? g.n : g.k, cols_b = g.trans_b ? g.k : g.n;
  long out_size = g.batch * g.m * g.n;
  if (out_half) g.out_half = a.u16(0, out_size, "out");
  else g.out_f32 = a.f32(0, out_size, "out");
  bool empty = out_size == 0 || g.k == 0;
  const uint16_t* pa = a.u16(1, empty ? 0 : reach(offset_a, g.stride_a, g.batch, span(rows_a, cols_a, g.lda)), "A");
  const uint16_t* pb = a.u16(2, empty ? 0 : reach(offset_b, g.stride_b, g.batch, span(rows_b, cols_b, g.ldb)), "B");
  g.bias = a.f32(3, g.n, "bias", true);
  if (a.failed()) return false;
  g.a = pa + offset_a;
  g.b = pb + offset_b;
  return true;
}

// gemmBf16Layout(…, threads, amx, outBf16): the bf16 product over a whole MatmulLayout (backend.ts),
// written as float32 or (outBf16) rounded once to bfloat16.
napi_value GemmBf16Layout(napi_env env, napi_callback_info info) {
  Args a(env, info, "matmulBf16Layout");
  HalfGemmArgs g{};
  int threads = static_cast<int>(a.integer(17));
  bool amx = a.boolean(18), out_half = a.boolean(19);
  if (a.failed() || !read_half_gemm(env, a, g, out_half, "matmulBf16Layout")) return nullptr;
  if (!bf16_supported() || (amx && !amx_supported())) {
    napi_throw_error(env, nullptr, "native matmulBf16Layout: this CPU has no AVX-512 BF16 instructions (or AMX tiles asked for)");
    return nullptr;
  }
  if (amx) gemm_bf16_amx_layout(g, threads);
  else gemm_bf16_layout(g, threads);
  return undefined(env);
}

// gemmF16(…, threads, outF16): the float16 product over a whole MatmulLayout (backend.ts
// matmulF16Layout), written as float32 or (outF16) rounded once to float16.
napi_value GemmF16(napi_env env, napi_callback_info info) {
  Args a(env, info, "matmulF16Layout");
  HalfGemmArgs g{};
  int threads = static_cast<int>(a.integer(17));
  bool out_f16 = a.boolean(18);
  if (a.failed() || !read_half_gemm(env, a, g, out_f16, "matmulF16Layout")) return nullptr;
  a.table().gemm_f16(g, threads);
  return undefined(env);
}

// The `half` object's kernels (half.cc, AVX-512 only): each takes a last argument f16, true for float16
// bits and false for bfloat16 ones.
// half.geluForward(out u16, x u16, n, tanh, threads, f16) / half.geluBackward(dx u16, dy u16, x u16, n, tanh, threads, f16)
napi_value GeluForwardHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "geluForward (half)");
  long n = a.integer(2);
  uint16_t* out = a.u16(0, n, "out");
  const uint16_t* x = a.u16(1, n, "x");
  bool t = a.boolean(3);
  int threads = static_cast<int>(a.integer(4));
  bool f16 = a.boolean(5);
  if (a.failed()) return nullptr;
  gelu_forward_half(f16, out, x, n, t, threads);
  return undefined(env);
}

napi_value GeluBackwardHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "geluBackward (half)");
  long n = a.integer(3);
  uint16_t* dx = a.u16(0, n, "dx");
  const uint16_t* dy = a.u16(1, n, "dy");
  const uint16_t* x = a.u16(2, n, "x");
  bool t = a.boolean(4);
  int threads = static_cast<int>(a.integer(5));
  bool f16 = a.boolean(6);
  if (a.failed()) return nullptr;
  gelu_backward_half(f16, dx, dy, x, n, t, threads);
  return undefined(env);
}

// half.binaryMixed(op, out f32, a f32, b u16, n, swapped, threads, f16): out = a op widen(b) (b op a when swapped)
napi_value BinaryMixedHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "binary (float32 with half)");
  int op = static_cast<int>(a.integer(0));
  long n = a.integer(4);
  float* out = a.f32(1, n, "out");
  const float* x = a.f32(2, n, "a");
  const uint16_t* y = a.u16(3, n, "b");
  bool swapped = a.boolean(5);
  int threads = static_cast<int>(a.integer(6));
  bool f16 = a.boolean(7);
  if (a.failed()) return nullptr;
  binary_mixed_half(f16, op, out, x, y, n, swapped, threads);
  return undefined(env);
}

// half.sumColumns(out f32, x u16, rows, cols, threads, f16): out[j] = Σ_r x[r, j] (overwrites out)
napi_value SumColumnsHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "sumColumns (half)");
  long rows = a.integer(2), cols = a.integer(3);
  float* out = a.f32(0, cols, "out");
  const uint16_t* x = a.u16(1, rows * cols, "x");
  int threads = static_cast<int>(a.integer(4));
  bool f16 = a.boolean(5);
  if (a.failed()) return nullptr;
  sum_columns_half(f16, out, x, rows, cols, threads);
  return undefined(env);
}

// half.crossEntropyForward(lse, nll, smooth, logits u16, targets, weight|null, rows, classes, ignoreIndex, threads, f16)
napi_value CrossEntropyForwardHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "crossEntropyForward (half)");
  long rows = a.integer(6), classes = a.integer(7);
  double* lse = a.f64(0, rows, "lse");
  double* nll = a.f64(1, rows, "nll");
  double* smooth = a.f64(2, rows, "smooth");
  const uint16_t* logits = a.u16(3, rows * classes, "logits");
  const int32_t* targets = a.i32(4, rows, "targets");
  const float* weight = a.f32(5, classes, "weight", true);
  int32_t ignore = static_cast<int32_t>(a.integer(8));
  int threads = static_cast<int>(a.integer(9));
  bool f16 = a.boolean(10);
  if (a.failed()) return nullptr;
  cross_entropy_forward_half(f16, lse, nll, smooth, logits, targets, weight, rows, classes, ignore, threads);
  return undefined(env);
}

// half.crossEntropyBackward(dlogits u16, logits u16, targets, weight|null, lse, gNll, gSmooth, rows, classes, ignoreIndex, threads, f16)
napi_value CrossEntropyBackwardHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "crossEntropyBackward (half)");
  long rows = a.integer(7), classes = a.integer(8);
  uint16_t* dlogits = a.u16(0, rows * classes, "dlogits");
  const uint16_t* logits = a.u16(1, rows * classes, "logits");
  const int32_t* targets = a.i32(2, rows, "targets");
  const float* weight = a.f32(3, classes, "weight", true);
  const double* lse = a.f64(4, rows, "lse");
  const double* g_nll = a.f64(5, rows, "gNll");
  const double* g_smooth = a.f64(6, rows, "gSmooth");
  int32_t ignore = static_cast<int32_t>(a.integer(9));
  int threads = static_cast<int>(a.integer(10));
  bool f16 = a.boolean(11);
  if (a.failed()) return nullptr;
  cross_entropy_backward_half(f16, dlogits, logits, targets, weight, lse, g_nll, g_smooth, rows, classes, ignore, threads);
  return undefined(env);
}

// half.layerNormForward(out u16, mean f32, rstd f32, x u16, w u16|null, b u16|null, rows, cols, eps, threads, f16) /
// half.layerNormBackward(dx u16|null, dw f32|null, db f32|null, dy u16, x u16, mean, rstd, w u16|null, rows, cols, threads, f16):
// LayerNorm on bfloat16 or (f16) float16 bits (half.cc).
napi_value LayerNormForwardHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "layerNormForward (half)");
  long rows = a.integer(6), cols = a.integer(7);
  uint16_t* out = a.u16(0, rows * cols, "out");
  float* mean = a.f32(1, rows, "mean");
  float* rstd = a.f32(2, rows, "rstd");
  const uint16_t* x = a.u16(3, rows * cols, "x");
  const uint16_t* w = a.u16(4, cols, "weight", true);
  const uint16_t* b = a.u16(5, cols, "bias", true);
  float eps = static_cast<float>(a.number(8));
  int threads = static_cast<int>(a.integer(9));
  bool f16 = a.boolean(10);
  if (a.failed()) return nullptr;
  layernorm_forward_half(f16, out, mean, rstd, x, w, b, rows, cols, eps, threads);
  return undefined(env);
}

napi_value LayerNormBackwardHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "layerNormBackward (half)");
  long rows = a.integer(8), cols = a.integer(9);
  uint16_t* dx = a.u16(0, rows * cols, "dx", true);
  float* dw = a.f32(1, cols, "dw", true);
  float* db = a.f32(2, cols, "db", true);
  const uint16_t* dy = a.u16(3, rows * cols, "dy");
  const uint16_t* x = a.u16(4, rows * cols, "x");
  const float* mean = a.f32(5, rows, "mean");
  const float* rstd = a.f32(6, rows, "rstd");
  const uint16_t* w = a.u16(7, cols, "weight", true);
  int threads = static_cast<int>(a.integer(10));
  bool f16 = a.boolean(11);
  if (a.failed()) return nullptr;
  layernorm_backward_half(f16, dx, dw, db, dy, x, mean, rstd, w, rows, cols, threads);
  return undefined(env);
}

// half.softmaxForward(out u16, x u16, rows, cols, log, threads, f16) /
// half.softmaxBackward(dx u16, dy u16, x u16, rows, cols, log, threads, f16): softmax rows on half bits (half.cc).
napi_value SoftmaxForwardHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "softmaxForward (half)");
  long rows = a.integer(2), cols = a.integer(3);
  uint16_t* out = a.u16(0, rows * cols, "out");
  const uint16_t* x = a.u16(1, rows * cols, "x");
  bool log = a.boolean(4);
  int threads = static_cast<int>(a.integer(5));
  bool f16 = a.boolean(6);
  if (a.failed()) return nullptr;
  softmax_forward_half(f16, out, x, rows, cols, log, threads);
  return undefined(env);
}

napi_value SoftmaxBackwardHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "softmaxBackward (half)");
  long rows = a.integer(3), cols = a.integer(4);
  uint16_t* dx = a.u16(0, rows * cols, "dx");
  const uint16_t* dy = a.u16(1, rows * cols, "dy");
  const uint16_t* x = a.u16(2, rows * cols, "x");
  bool log = a.boolean(5);
  int threads = static_cast<int>(a.integer(6));
  bool f16 = a.boolean(7);
  if (a.failed()) return nullptr;
  softmax_backward_half(f16, dx, dy, x, rows, cols, log, threads);
  return undefined(env);
}

/** Bytes per element of a typed array type (0 for the float16 array type, which loom does not use). */
int element_bytes(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: return 8;
    default: return 0;
  }
}

// copyStrided(dst, src, dims f64 [nd, dstOffset, srcOffset, sizes…, dstStrides…, srcStrides…]): dst and
// src of one typed array type; every element either view reaches is checked to lie inside its array.
napi_value CopyStrided(napi_env env, napi_callback_info info) {
  Args a(env, info, "copyStrided");
  napi_typedarray_type dst_type, src_type;
  long dst_length = 0, src_length = 0;
  void* dst = a.any_array(0, "dst", &dst_type, &dst_length);
  const void* src = a.any_array(1, "src", &src_type, &src_length);
  const double* head = a.f64(2, 3, "dims");
  if (a.failed()) return nullptr;
  const long nd = static_cast<long>(head[0]);
  const double* dims = a.f64(2, 3 + 3 * nd, "dims");
  if (a.failed()) return nullptr;
  const int bytes = element_bytes(dst_type);
  if (dst_type != src_type || bytes == 0 || nd < 1 || nd > 64) {
    napi_throw_type_error(env, nullptr, "native copyStrided: dst and src must be typed arrays of one element type, with 1 to 64 dims");
    return nullptr;
  }
  std::vector<long> sizes(nd), ds(nd), ss(nd);
  long dst_offset = static_cast<long>(dims[1]), src_offset = static_cast<long>(dims[2]);
  long dst_lo = dst_offset, dst_hi = dst_offset, src_lo = src_offset, src_hi = src_offset;
  for (long d = 0; d < nd; d++) {
    sizes[d] = static_cast<long>(dims[3 + d]);
    ds[d] = static_cast<long>(dims[3 + nd + d]);
    ss[d] = static_cast<long>(dims[3 + 2 * nd + d]);
    if (sizes[d] <= 0) return undefined(env);  // nothing to copy
    (ds[d] < 0 ? dst_lo : dst_hi) += ds[d] * (sizes[d] - 1);
    (ss[d] < 0 ? src_lo : src_hi) += ss[d] * (sizes[d] - 1);
  }
  if (dst_lo < 0 || dst_hi >= dst_length || src_lo < 0 || src_hi >= src_length) {
    napi_throw_range_error(env, nullptr, "native copyStrided: a view reaches outside its array");
    return nullptr;
  }
  copy_strided(dst, src, bytes, static_cast<int>(nd), sizes.data(), ds.data(), ss.data(), dst_offset, src_offset);
  return undefined(env);
}

/** The `half` object: row kernels on bfloat16 or float16 bits (half.cc). */
napi_value make_half_table(napi_env env) {
  napi_value obj;
  napi_create_object(env, &obj);
  const std::pair<const char*, napi_callback> fns[] = {
      {"geluForward", GeluForwardHalf}, {"geluBackward", GeluBackwardHalf}, {"binaryMixed", BinaryMixedHalf}, {"sumColumns", SumColumnsHalf},
      {"crossEntropyForward", CrossEntropyForwardHalf}, {"crossEntropyBackward", CrossEntropyBackwardHalf},
      {"layerNormForward", LayerNormForwardHalf}, {"layerNormBackward", LayerNormBackwardHalf},
      {"softmaxForward", SoftmaxForwardHalf}, {"softmaxBackward", SoftmaxBackwardHalf}};
  for (const auto& [name, fn] : fns) {
    napi_value f;
    napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
    napi_set_named_property(env, obj, name, f);
  }
  return obj;
}

/**
 * Reads sizes (Float64Array [n, t, s, d, dv, scale, causal 0/1, causalOffset, dropout, seed0, seed1, f16 0/1]) at
 * `at` and the mask (data|null, additive, offsets, strideT, strideS) at `mask_at` into `g`.
 */
bool attention_common(Args& a, AttentionArgs& g, size_t at, size_t mask_at) {
  const double* sz = a.f64(at, 13, "sizes");
  if (a.failed()) return false;
  g.n = static_cast<long>(sz[0]), g.t = static_cast<long>(sz[1]), g.s = static_cast<long>(sz[2]);
  g.d = static_cast<long>(sz[3]), g.dv = static_cast<long>(sz[4]);
  g.scale = static_cast<float>(sz[5]);
  g.causal = sz[6] != 0;
  g.causal_offset = static_cast<long>(sz[7]);
  g.dropout = static_cast<float>(sz[8]);
  g.seed0 = static_cast<uint32_t>(sz[9]), g.seed1 = static_cast<uint32_t>(sz[10]);
  g.f16 = sz[11] != 0;
  g.bf16_products = sz[12] != 0;
  if (g.bf16_products && (g.f16 || !bf16_supported())) {
    napi_throw_error(a.env(), nullptr, "native attention: bf16 products asked for on float16 operands, or on a CPU without AVX-512 BF16");
    return false;
  }
  bool additive = a.boolean(mask_at + 1);
  void* mask = a.array(mask_at, additive ? napi_float32_array : napi_uint8_array, 0, "mask", true);
  if (a.failed()) return false;
  if (mask) {
    long length = a.last_length();
    g.mask_offsets = a.i32(mask_at + 2, g.n, "mask offsets");
    g.mask_stride_t = a.integer(mask_at + 3);
    g.mask_stride_s = a.integer(mask_at + 4);
    if (a.failed()) return false;
    for (long b = 0; b < g.n && g.t > 0 && g.s > 0; b++) {
      long first = g.mask_offsets[b];
      if (first < 0 || g.mask_stride_t < 0 || g.mask_stride_s < 0 || first + (g.t - 1) * g.mask_stride_t + (g.s - 1) * g.mask_stride_s >= length) {
        napi_throw_range_error(a.env(), nullptr, "native attention: the mask reaches past its data");
        return false;
      }
    }
    if (additive) g.mask_add = static_cast<const float*>(mask);
    else g.mask_bool = static_cast<const uint8_t*>(mask);
  }
  return true;
}

// attentionForward(out, outOff, outStride, lse, q, qOff, qStride, k, kOff, kStride, v, vOff, vStride,
//                  mask|null, additive, maskOff, maskStrideT, maskStrideS, sizes, threads, outHalf|null)
// q, k, v may be Uint16Arrays of bfloat16 bits (widened as read); outHalf, as long as out, receives
// the float32 output rounded once, in out's layout.
napi_value AttentionForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "attentionForward");
  AttentionArgs g{};
  if (!attention_common(a, g, 18, 13)) return nullptr;
  int threads = static_cast<int>(a.integer(19));
  a.f32(0, 0, "out");
  const long out_length = a.last_length();
  g.out = a.rows_ref(0, g.n, g.t, g.dv, "out");
  g.out.half = static_cast<uint16_t*>(a.array(20, napi_uint16_array, out_length, "outHalf", true));
  g.lse = a.f64(3, g.n * g.t, "lse");
  g.q = a.rows_ref(4, g.n, g.t, g.d, "q", false, true);
  g.k = a.rows_ref(7, g.n, g.s, g.d, "k", false, true);
  g.v = a.rows_ref(10, g.n, g.s, g.dv, "v", false, true);
  if (a.failed()) return nullptr;
  if (g.bf16_products && !(g.q.half && g.k.half && g.v.half)) {
    napi_throw_type_error(env, nullptr, "native attentionForward: bf16 products take bfloat16 q, k and v");
    return nullptr;
  }
  a.table().attention_forward(g, threads);
  return undefined(env);
}

// attentionBackward(dq|null, dqOff, dqStride, dk|null, dkOff, dkStride, dv|null, dvOff, dvStride, dOut, dOutOff, dOutStride,
//                   out, outOff, outStride, lse, q, qOff, qStride, k, kOff, kStride, v, vOff, vStride,
//                   mask|null, additive, maskOff, maskStrideT, maskStrideS, sizes, threads)
// dq, dk, dv (rounded once), dOut, q, k and v may be Uint16Arrays of bfloat16 bits; out is float32.
napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "attentionBackward");
  AttentionArgs g{};
  if (!attention_common(a, g, 30, 25)) return nullptr;
  int threads = static_cast<int>(a.integer(31));
  g.dq = a.rows_ref(0, g.n, g.t, g.d, "dq", true, true);
  g.dk = a.rows_ref(3, g.n, g.s, g.d, "dk", true, true);
  g.dv_grad = a.rows_ref(6, g.n, g.s, g.dv, "dv", true, true);
  g.d_out = a.rows_ref(9, g.n, g.t, g.dv, "dOut", false, true);
  g.out = a.rows_ref(12, g.n, g.t, g.dv, "out");
  g.lse = a.f64(15, g.n * g.t, "lse");
  g.q = a.rows_ref(16, g.n, g.t, g.d, "q", false, true);
  g.k = a.rows_ref(19, g.n, g.s, g.d, "k", false, true);
  g.v = a.rows_ref(22, g.n, g.s, g.dv, "v", false, true);
  if (a.failed()) return nullptr;
  if (g.bf16_products && !(g.q.half && g.k.half && g.v.half && g.d_out.half)) {
    napi_throw_type_error(env, nullptr, "native attentionBackward: bf16 products take bfloat16 q, k, v and dOut");
    return nullptr;
  }
  a.table().attention_backward(g, threads);
  return undefined(env);
}

// lstmForward(h, c, gates, tanhC, xg, hg, cPrev, peephole|null, coupled, batch, hidden)
napi_value LstmForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "lstmCellForward");
  bool coupled = a.boolean(8);
  long batch = a.integer(9), hidden = a.integer(10);
  long gh = (coupled ? 3 : 4) * hidden, bh = batch * hidden;
  float* h = a.f32(0, bh, "h");
  float* c = a.f32(1, bh, "c");
  float* gates = a.f32(2, batch * gh, "gates");
  float* tanh_c = a.f32(3, bh, "tanhC");
  const float* xg = a.f32(4, batch * gh, "xg");
  const float* hg = a.f32(5, batch * gh, "hg");
  const float* c_prev = a.f32(6, bh, "cPrev");
  const float* peephole = a.f32(7, (coupled ? 2 : 3) * hidden, "peephole", true);
  if (a.failed()) return nullptr;
  a.table().lstm_forward(h, c, gates, tanh_c, xg, hg, c_prev, peephole, coupled, batch, hidden);
  return undefined(env);
}

// lstmBackward(dPre, dcPrev, dPeephole|null, dh, dc|null, gates, cPrev, c, tanhC, peephole|null, coupled, batch, hidden)
napi_value LstmBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "lstmCellBackward");
  bool coupled = a.boolean(10);
  long batch = a.integer(11), hidden = a.integer(12);
  long gh = (coupled ? 3 : 4) * hidden, bh = batch * hidden, ph = (coupled ? 2 : 3) * hidden;
  float* d_pre = a.f32(0, batch * gh, "dPre");
  float* dc_prev = a.f32(1, bh, "dcPrev");
  float* d_peephole = a.f32(2, ph, "dPeephole", true);
  const float* dh = a.f32(3, bh, "dh");
  const float* dc = a.f32(4, bh, "dc", true);
  const float* gates = a.f32(5, batch * gh, "gates");
  const float* c_prev = a.f32(6, bh, "cPrev");
  const float* c = a.f32(7, bh, "c");
  const float* tanh_c = a.f32(8, bh, "tanhC");
  const float* peephole = a.f32(9, ph, "peephole", true);
  if (a.failed()) return nullptr;
  a.table().lstm_backward(d_pre, dc_prev, d_peephole, dh, dc, gates, c_prev, c, tanh_c, peephole, coupled, batch, hidden);
  return undefined(env);
}

// gruForward(h, gates, xg, hg, hPrev, batch, hidden)
napi_value GruForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "gruCellForward");
  long batch = a.integer(5), hidden = a.integer(6);
  long bh = batch * hidden;
  float* h = a.f32(0, bh, "h");
  float* gates = a.f32(1, 3 * bh, "gates");
  const float* xg = a.f32(2, 3 * bh, "xg");
  const float* hg = a.f32(3, 3 * bh, "hg");
  const float* h_prev = a.f32(4, bh, "hPrev");
  if (a.failed()) return nullptr;
  a.table().gru_forward(h, gates, xg, hg, h_prev, batch, hidden);
  return undefined(env);
}

// gruBackward(dxg, dhg, dhPrev, dh, gates, hg, hPrev, batch, hidden)
napi_value GruBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "gruCellBackward");
  long batch = a.integer(7), hidden = a.integer(8);
  long bh = batch * hidden;
  float* dxg = a.f32(0, 3 * bh, "dxg");
  float* dhg = a.f32(1, 3 * bh, "dhg");
  float* dh_prev = a.f32(2, bh, "dhPrev");
  const float* dh = a.f32(3, bh, "dh");
  const float* gates = a.f32(4, 3 * bh, "gates");
  const float* hg = a.f32(5, 3 * bh, "hg");
  const float* h_prev = a.f32(6, bh, "hPrev");
  if (a.failed()) return nullptr;
  a.table().gru_backward(dxg, dhg, dh_prev, dh, gates, hg, h_prev, batch, hidden);
  return undefined(env);
}

// rnnForward(h, xg, hg, relu, n) / rnnBackward(dPre, dh, h, relu, n)
napi_value RnnForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "rnnCellForward");
  long n = a.integer(4);
  float* h = a.f32(0, n, "h");
  const float* xg = a.f32(1, n, "xg");
  const float* hg = a.f32(2, n, "hg");
  bool relu = a.boolean(3);
  if (a.failed()) return nullptr;
  a.table().rnn_forward(h, xg, hg, relu, n);
  return undefined(env);
}

napi_value RnnBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "rnnCellBackward");
  long n = a.integer(4);
  float* d_pre = a.f32(0, n, "dPre");
  const float* dh = a.f32(1, n, "dh");
  const float* h = a.f32(2, n, "h");
  bool relu = a.boolean(3);
  if (a.failed()) return nullptr;
  a.table().rnn_backward(d_pre, dh, h, relu, n);
  return undefined(env);
}

napi_value make_table(napi_env env, Table* table) {
  static const struct {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"gemm", Gemm}, {"gemmF16", GemmF16}, {"attentionForward", AttentionForward}, {"attentionBackward", AttentionBackward},
      {"lstmForward", LstmForward}, {"lstmBackward", LstmBackward}, {"gruForward", GruForward}, {"gruBackward", GruBackward},
      {"rnnForward", RnnForward}, {"rnnBackward", RnnBackward}, {"geluForward", GeluForward}, {"geluBackward", GeluBackward}, {"dropout", Dropout}, {"toBf16", NarrowToHalf<&Table::to_bf16>}, {"fromBf16", WidenFromHalf<&Table::from_bf16>}, {"toF16", NarrowToHalf<&Table::to_f16>}, {"fromF16", WidenFromHalf<&Table::from_f16>}, {"layerNormForward", LayerNormForward},
      {"layerNormBackward", LayerNormBackward}, {"rmsNormForward", RmsNormForward}, {"rmsNormBackward", RmsNormBackward},
      {"softmaxForward", SoftmaxForward}, {"softmaxBackward", SoftmaxBackward}, {"crossEntropyForward", CrossEntropyForward},
      {"crossEntropyBackward", CrossEntropyBackward}, {"adamw", AdamW}, {"binary", Binary}, {"binaryScalar", BinaryScalar},
      {"binaryRows", BinaryRows}, {"sum", Sum}, {"sumRows", SumRows}, {"sumColumns", SumColumns},
      {"embeddingForward", EmbeddingForward}, {"embeddingBackward", EmbeddingBackward},
  };
  napi_value obj;
  napi_create_object(env, &obj);
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, table, &fn);
    napi_set_named_property(env, obj, f.name, fn);
  }
  return obj;
}

void set_bool(napi_env env, napi_value obj, const char* name, bool v) {
  napi_value b;
  napi_get_boolean(env, v, &b);
  napi_set_named_property(env, obj, name, b);
}

/**
 * Bytes up to which glibc serves an allocation from its heap instead of a fresh mmap: 32 MiB, the
 * largest mmap threshold mallopt accepts on 64-bit. A training step allocates and drops ~100-700 MiB of
 * activations in buffers of 0.1-10 MiB. glibc's defaults start the mmap threshold at 128 KiB and raise it
 * only as mmapped chunks are freed, so buffers kept coming back as fresh pages: 2,000-2,800 page faults
 * per TINY bf16 step and 5,500-8,700 per SMALL one, on a VM where a fault (with the kernel zeroing the
 * page) costs ~5-10 µs.
 */
constexpr int MMAP_THRESHOLD_BYTES = 32 << 20;

/**
 * Free bytes at the heap's top that glibc keeps instead of returning them to the OS: 1 GiB. A full GC
 * frees a step's dead activations all at once, so the heap's top often passes a smaller threshold
 * (32 MiB was tried): glibc then gave it all back, down to 128 KiB, and the next step faulted it in
 * again — SMALL bf16 steps with 17,000-25,000 faults (+100-180 ms) every few steps against ~0-1,000
 * with 1 GiB. Peak RSS is the heap's high-water mark either way; what is kept is at most what the
 * process already had resident.
 */
constexpr int TRIM_THRESHOLD_BYTES = 1 << 30;

// tuneAllocator() → whether glibc took the heap thresholds above (false elsewhere, e.g. musl, macOS).
napi_value TuneAllocator(napi_env env, napi_callback_info) {
#ifdef __GLIBC__
  const bool ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1 && mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1;
#else
  const bool ok = false;
#endif
  napi_value b;
  napi_get_boolean(env, ok, &b);
  return b;
}

// features() → which instruction sets this CPU (and OS) supports, from CPUID via the compiler's builtins.
napi_value Features(napi_env env, napi_callback_info) {
  __builtin_cpu_init();
  napi_value obj;
  napi_create_object(env, &obj);
  set_bool(env, obj, "avx512f", __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                                    __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"));
  set_bool(env, obj, "avx512bf16", bf16_supported());
  set_bool(env, obj, "avx512vnni", __builtin_cpu_supports("avx512vnni"));
  set_bool(env, obj, "amxbf16", amx_supported());
  set_bool(env, obj, "avx2", __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
  return obj;
}

}  // namespace
}  // namespace loom

NAPI_MODULE_INIT() {
  const std::pair<const char*, napi_callback> functions[] = {
      {"features", loom::Features}, {"tuneAllocator", loom::TuneAllocator}, {"gemmBf16", loom::GemmBf16},
      {"gemmBf16Layout", loom::GemmBf16Layout}, {"copyStrided", loom::CopyStrided},
  };
  for (const auto& [name, cb] : functions) {
    napi_value fn;
    napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
    napi_set_named_property(env, exports, name, fn);
  }
  napi_set_named_property(env, exports, "half", loom::make_half_table(env));
  napi_set_named_property(env, exports, "avx512", loom::make_table(env, &loom::avx512_table));
  napi_set_named_property(env, exports, "avx2", loom::make_table(env, &loom::avx2_table));
  return exports;
}
