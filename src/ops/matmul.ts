/**
 * Matrix product with PyTorch's `matmul` semantics: 1-D operands are promoted (and the added dim
 * removed), leading batch dims broadcast. Operands whose last two dims are a transposed view are passed
 * to the backend as `transA`/`transB` over the original storage, so no layout has a copying slow path.
 * Backward: dA = dC·Bᵀ, dB = Aᵀ·dC, summed over broadcast batch dims.
 */
import { getBackend, type FloatArray } from "../backend/index.js";
import { DTypeError, ShapeError, formatShape } from "../errors.js";
import { type HalfDType, type Storage, allocateUninitialized, convertStorage, isFloatingPoint, isHalf, promoteTypes } from "../tensor/dtype.js";
import { autocastOperand, autocasting, checkSameHalf, inFloat32 } from "./half.js";
import { broadcastShapes, numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";
import { expand, reshape, squeeze, sumToShape, transpose, unsqueeze } from "./views.js";
import { add as addBias } from "./arithmetic.js";
import { to } from "./cast.js";
import { noGrad } from "../autograd/grad-mode.js";

interface Operand {
  data: FloatArray;
  offset: number;
  trans: boolean;
  /** Elements between batch matrices (0 when broadcast over the batch). */
  batchStride: number;
  /** Elements between stored rows when more than the row length (a column slice of a wider matrix). */
  ld?: number;
}

/**
 * Describes x ([...batch, r, c], already expanded to the output batch shape) as a backend operand
 * without copying when its matrices are row-major or transposed and its batch dims collapse to one
 * stride; otherwise copies it to contiguous.
 */
function operand(x: Tensor, batchShape: readonly number[]): Operand {
  const nd = x.ndim;
  const rows = x.shape[nd - 2] ?? 1;
  const cols = x.shape[nd - 1] ?? 1;
  const rs = x.strides[nd - 2] ?? 0;
  const cs = x.strides[nd - 1] ?? 0;
  let trans: boolean | null = null;
  if ((cs === 1 || cols === 1) && (rs === cols || rows === 1)) trans = false;
  else if ((rs === 1 || rows === 1) && (cs === rows || cols === 1)) trans = true;
  else if (singleMatrix(x, batchShape)) {
    // One matrix whose stored rows are spaced wider than their length (a narrow of a wider matrix,
    // e.g. a block of GPT-2's fused c_attn weight): read in place with a row stride.
    if (cs === 1 && rs > cols) return { data: x.storage as FloatArray, offset: x.offset, trans: false, batchStride: 0, ld: rs };
    if (rs === 1 && cs > rows) return { data: x.storage as FloatArray, offset: x.offset, trans: true, batchStride: 0, ld: cs };
  }
  // Batch dims must be expressible as one stride (0 = broadcast), walking from the innermost.
  let batchStride: number | null = null;
  if (trans !== null) {
    const bdims = batchShape.length;
    const bStrides = x.strides.slice(0, bdims);
    const allZero = bStrides.every((s, i) => s === 0 || (batchShape[i] ?? 1) === 1);
    if (allZero) batchStride = 0;
    else {
      let expected: number | null = null;
      let ok = true;
      for (let i = bdims - 1; i >= 0; i--) {
        const size = batchShape[i] ?? 1;
        if (size === 1) continue;
        const s = bStrides[i] ?? 0;
        if (expected === null) {
          if (s !== rows * cols) ok = false;
          expected = s * size;
        } else {
          if (s !== expected) ok = false;
          expected = s * size;
        }
      }
      batchStride = ok ? rows * cols : null;
    }
  }
  if (trans === null || batchStride === null) {
    const c = new Tensor(x.toTypedArray(), x.shape);
    return { data: c.storage as FloatArray, offset: 0, trans: false, batchStride: rows * cols };
  }
  return { data: x.storage as FloatArray, offset: x.offset, trans, batchStride };
}

/** Whether every batch dim of x is broadcast (stride 0) or of size 1: one stored matrix. */
function singleMatrix(x: Tensor, batchShape: readonly number[]): boolean {
  return batchShape.every((size, i) => size === 1 || x.strides[i] === 0);
}

/** The ldA / ldB layout fields of two operands (absent when their rows are packed). */
function rowStrides(a: Operand, b: Operand): { ldA?: number; ldB?: number } {
  return { ...(a.ld !== undefined ? { ldA: a.ld } : {}), ...(b.ld !== undefined ? { ldB: b.ld } : {}) };
}

/**
 * Matrix product with NumPy rules: 1-D vectors, 2-D matrices, and batched products broadcast over leading dimensions.
 * @example
 * ```ts
 * import { tensor, ops } from "loom";
 * ops.matmul(tensor([[1, 2], [3, 4]]), tensor([[1], [1]])); // tensor([[3], [7]])
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (autocasting()) {
    const [ca, cb] = [autocastOperand(a), autocastOperand(b)];
    if (ca !== a || cb !== b) return matmul(ca, cb);
  }
  if (!isFloatingPoint(a.dtype) || !isFloatingPoint(b.dtype)) {
    throw new DTypeError(`matmul: expected floating-point tensors, got ${a.dtype} and ${b.dtype}`);
  }
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dimension, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  // Inner sizes checked on the shapes as given, before 1-D operands are promoted, so the message names them.
  const inner = a.shape[a.ndim - 1];
  const innerB = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (inner !== innerB) throw new ShapeError(`matmul: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}`);
  if (a.dtype !== b.dtype) {
    checkSameHalf("matmul", a, b);
    const t = promoteTypes(a.dtype, b.dtype);
    return matmul(to(a, t), to(b, t));
  }
  // Half operands: float32 products and sums, the result rounded once; read directly by the backend's
  // half GEMM where it has one for the dtype, else computed on float32 copies.
  if (isHalf(a.dtype) && !halfGemm(a.dtype)) return inFloat32([a, b], a.dtype, matmul);
  // 1-D operands: prepend/append a dim, then drop it from the result (PyTorch semantics).
  if (a.ndim === 1 && b.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), unsqueeze(b, 1)), [0, 1]);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);

  const m = a.shape[a.ndim - 2] ?? 1;
  const k = a.shape[a.ndim - 1] ?? 1;
  const k2 = b.shape[b.ndim - 2] ?? 1;
  const n = b.shape[b.ndim - 1] ?? 1;
  if (k !== k2) throw new ShapeError(`matmul: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}`);
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), "matmul");
  const batch = numel(batchShape);
  const ae = noGrad(() => expand(a, [...batchShape, m, k]));
  const be = noGrad(() => expand(b, [...batchShape, k, n]));
  const oa = operand(ae, batchShape);
  const ob = operand(be, batchShape);
  // x[B, T, K]·W[K, N] with one W for every batch row: a single [B·T, K]·[K, N] product.
  const fold = batch > 1 && ob.batchStride === 0 && !oa.trans && oa.batchStride === m * k;
  if (isHalf(a.dtype)) {
    const product = halfProduct(a.dtype as HalfDType, oa, ob, { batch: fold ? 1 : batch, m: fold ? batch * m : m, n, k }, null);
    return record(new Tensor(product, [...batchShape, m, n]), "matmul", [a, b], (g) => [
      a.requiresGrad ? sumToShape(matmul(g, transpose(b, -1, -2)), a.shape) : null,
      b.requiresGrad ? weightGradient(a, g, b.shape) : null,
    ]);
  }
  const out = allocateUninitialized(a.dtype, batch * m * n) as FloatArray; // accumulate: false writes it all
  getBackend().matmul(out, oa.data, ob.data, {
    batch: fold ? 1 : batch, m: fold ? batch * m : m, n, k,
    transA: oa.trans, transB: ob.trans,
    strideA: oa.batchStride, strideB: ob.batchStride,
    offsetA: oa.offset, offsetB: ob.offset,
    accumulate: false,
    ...rowStrides(oa, ob),
  });
  const result = new Tensor(out, [...batchShape, m, n]);
  return record(result, "matmul", [a, b], (g) => [
    a.requiresGrad ? sumToShape(matmul(g, transpose(b, -1, -2)), a.shape) : null,
    b.requiresGrad ? weightGradient(a, g, b.shape) : null,
  ]);
}

/**
 * Gradient of a matrix B [.., K, N] shared across A's batch: Σ_batch Aᵀ·G as ONE product of the
 * flattened rows, [K, B·T]·[B·T, N], rather than a batch of products summed afterwards.
 */
function weightGradient(a: Tensor, g: Tensor, bShape: readonly number[]): Tensor {
  if (bShape.length === 2 && a.ndim > 2) {
    const k = a.shape[a.ndim - 1] as number;
    const n = g.shape[g.ndim - 1] as number;
    return matmul(transpose(reshape(a, [-1, k]), 0, 1), reshape(g, [-1, n]));
  }
  return sumToShape(matmul(transpose(a, -1, -2), g), bShape);
}

/**
 * bias + x·W as one op (PyTorch's addmm, over any leading dims of x): x [..., K], W [K, N] (a
 * transposed view of an [N, K] weight costs nothing), bias [N]. The output rows start as the bias and
 * the backend's GEMM accumulates onto them; the backward is three products on the flattened rows:
 * dx = G·Wᵀ, dW = xᵀ·G, dbias = 1ᵀ·G.
 */
export function addmm(bias: Tensor, x: Tensor, w: Tensor): Tensor {
  if (autocasting()) {
    const [cbias, cx, cw] = [autocastOperand(bias), autocastOperand(x), autocastOperand(w)];
    if (cbias !== bias || cx !== x || cw !== w) return addmm(cbias, cx, cw);
  }
  if (w.ndim !== 2 || bias.ndim !== 1 || x.ndim < 1) {
    throw new ShapeError(`addmm: expected bias [N], x [..., K] and W [K, N], got ${formatShape(bias.shape)}, ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
  }
  const [K, N] = w.shape as [number, number];
  if (x.shape[x.ndim - 1] !== K || bias.shape[0] !== N) {
    throw new ShapeError(`addmm: cannot add ${formatShape(bias.shape)} to ${formatShape(x.shape)}·${formatShape(w.shape)}`);
  }
  if (!isFloatingPoint(x.dtype) || x.dtype !== w.dtype || x.dtype !== bias.dtype) {
    throw new DTypeError(`addmm: expected one floating-point dtype, got ${bias.dtype}, ${x.dtype} and ${w.dtype}`);
  }
  if (isHalf(x.dtype) && !halfGemm(x.dtype)) return inFloat32([bias, x, w], x.dtype, addmm);
  const rows = x.size / K;
  const x2 = noGrad(() => reshape(x, [rows, K]));
  const ox = operand(x2, []);
  const ow = operand(w, []);
  let out: Storage;
  if (isHalf(x.dtype)) out = halfProduct(x.dtype as HalfDType, ox, ow, { batch: 1, m: rows, n: N, k: K }, bias);
  else {
    out = allocateUninitialized(x.dtype, rows * N) as FloatArray; // every row starts as the bias
    getBackend().matmul(out, ox.data, ow.data, {
      batch: 1, m: rows, n: N, k: K, transA: ox.trans, transB: ow.trans, strideA: 0, strideB: 0,
      offsetA: ox.offset, offsetB: ow.offset, accumulate: false, bias: bias.contiguousValues() as FloatArray,
      ...rowStrides(ox, ow),
    });
  }
  const outShape = [...x.shape.slice(0, -1), N];
  return record(new Tensor(out, outShape), "addmm", [bias, x, w], (g) => {
    const g2 = reshape(g, [rows, N]);
    return [
      bias.requiresGrad ? sumToShape(g2, [N]) : null,
      x.requiresGrad ? reshape(matmul(g2, transpose(w, 0, 1)), x.shape) : null,
      w.requiresGrad ? matmul(transpose(x2, 0, 1), g2) : null,
    ];
  });
}

/**
 * Whether half operands of `dtype` multiply on a backend GEMM that reads them directly: bfloat16 on a
 * backend with a bf16 GEMM, float16 on one with `matmulF16Layout`.
 */
function halfGemm(dtype: string): boolean {
  const be = getBackend();
  if (dtype === "bfloat16") return be.hasBf16Matmul === true && be.matmulBf16Layout !== undefined;
  return dtype === "float16" && be.matmulF16Layout !== undefined;
}

/**
 * [batch, m, n] half products of half operands of `dtype` on the backend's half GEMM, which reads the
 * operands' bits in place in any layout `operand` describes (transposed, row-strided, batched) and
 * sums in float32 from the bias rows when given, rounding each result to `dtype` once.
 */
function halfProduct(
  dtype: HalfDType, ox: Operand, oy: Operand, size: { batch: number; m: number; n: number; k: number }, bias: Tensor | null,
): Storage {
  const { batch, m, n, k } = size;
  const out = allocateUninitialized(dtype, batch * m * n) as Uint16Array; // every element is written
  const bias32 = bias ? (convertStorage(bias.contiguousValues(), bias.dtype, "float32") as Float32Array) : null;
  const be = getBackend();
  const gemm = dtype === "bfloat16" ? be.matmulBf16Layout : be.matmulF16Layout;
  gemm?.call(be, out, ox.data as unknown as Uint16Array, oy.data as unknown as Uint16Array, {
    batch, m, n, k, transA: ox.trans, transB: oy.trans, strideA: ox.batchStride, strideB: oy.batchStride,
    offsetA: ox.offset, offsetB: oy.offset, accumulate: false, bias: bias32, ...rowStrides(ox, oy),
  });
  return out as Storage;
}

/** Batched matrix product of two 3-D tensors [B,n,m]·[B,m,p] (torch.bmm). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`bmm: expected [B,n,m] and [B,m,p], got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  return matmul(a, b);
}

/** y = x·Wᵀ + b with W of shape [out, in] (PyTorch's Linear layout; Wᵀ costs no copy). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (autocasting()) {
    // The weight is cast before it is transposed, so the scope's cache holds the parameter's one copy.
    const [cx, cw, cb] = [autocastOperand(x), autocastOperand(weight), bias ? autocastOperand(bias) : bias];
    if (cx !== x || cw !== weight || cb !== bias) return linear(cx, cw, cb);
  }
  if (bias && weight.ndim === 2 && bias.ndim === 1 && x.ndim >= 1 && x.dtype === weight.dtype && x.dtype === bias.dtype) {
    return addmm(bias, x, transpose(weight, 0, 1));
  }
  const y = matmul(x, transpose(weight, 0, 1));
  return bias ? addBias(y, bias) : y;
}

