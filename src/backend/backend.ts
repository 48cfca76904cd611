/**
 * Kernels sit behind this interface (DESIGN.md decision 3). Kernels are pure functions over typed
 * arrays with explicit outputs (STYLE.md §2); the autograd layer sits on top and never reaches into
 * loops. The reference backend (readable TypeScript) is the specification; a faster backend overrides
 * methods and is tested for parity against it.
 */

import type { AdamWHyperparameters } from "./reference/adamw.js";
import type { CrossEntropyRows } from "./reference/crossentropy.js";
import type { GeluApproximation } from "./reference/gelu.js";
import type { BinaryOpCode } from "./reference/elementwise.js";
import type { UnaryOpCode } from "./reference/unary.js";
import type { AttentionLayouts, AttentionMask, AttentionOperand, AttentionOperandHalf, AttentionSizes } from "./reference/attention.js";
import type { RnnNonlinearity } from "./reference/recurrent.js";

/** The typed arrays tensors store their elements in (half dtypes as Uint16Array bits). */
export type ElementArray = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array;

/** Which 16-bit float a Uint16Array of half bits holds. */
export type HalfBits = "bfloat16" | "float16";

export type { AdamWHyperparameters } from "./reference/adamw.js";
export type { CrossEntropyRows } from "./reference/crossentropy.js";
export type { GeluApproximation } from "./reference/gelu.js";
export { BinaryOp, type BinaryOpCode } from "./reference/elementwise.js";
export { UnaryOp, type UnaryOpCode } from "./reference/unary.js";
export type { AttentionLayouts, AttentionMask, AttentionOperand, AttentionOperandHalf, AttentionRowLayout, AttentionSizes } from "./reference/attention.js";
export type { RnnNonlinearity } from "./reference/recurrent.js";

export type FloatArray = Float32Array | Float64Array;

/** Layout of one (possibly batched) matrix product `out[b] = op(A[b]) · op(B[b])`. */
export interface MatmulLayout {
  /** Number of products. */
  batch: number;
  /** Rows of op(A) and of out. */
  m: number;
  /** Columns of op(B) and of out. */
  n: number;
  /** Inner dimension. */
  k: number;
  /** A is stored as [k, m] row-major (so op(A) = Aᵀ) instead of [m, k]. */
  transA: boolean;
  /** B is stored as [n, k] row-major (so op(B) = Bᵀ) instead of [k, n]. */
  transB: boolean;
  /** Elements between consecutive batch matrices of A (0 broadcasts one matrix to every batch). */
  strideA: number;
  /** Elements between consecutive batch matrices of B (0 broadcasts). */
  strideB: number;
  /** Element offset of the first A and B matrix in their arrays. */
  offsetA: number;
  offsetB: number;
  /** When true, out += product instead of out = product. */
  accumulate: boolean;
  /**
   * With accumulate false: out = bias + product, the [n] bias added to every row of every product
   * (a linear layer's bias, so the output is never written twice). Absent or null: no bias.
   */
  bias?: FloatArray | null;
  /**
   * Elements between consecutive stored rows of A (of B): at least the stored row length (k, or m with
   * transA; n, or k with transB), which is also the default. Larger values read a column slice of a
   * wider matrix (e.g. one block of a fused weight) in place.
   */
  ldA?: number;
  ldB?: number;
}

/** The kernels behind the tensor ops. The reference (TypeScript) and WebAssembly backends implement it; `setBackend` chooses. */
export interface Backend {
  readonly name: string;
  /**
   * Whether `matmulBf16` exists and runs here (the native backend on a CPU with AVX-512 BF16 or AMX);
   * absent means no. Half-precision matmuls read bfloat16 operands directly where it holds.
   */
  readonly hasBf16Matmul?: boolean;
  /** out[m,n] (+ out with `accumulate`) = A[m,k]·op(B) on bfloat16 bit patterns, float32 sums; B is [k,n], or [n,k] with transB. */
  matmulBf16?(out: Float32Array, a: Uint16Array, b: Uint16Array, m: number, n: number, k: number, transB?: boolean, accumulate?: boolean): void;
  /**
   * The bf16 product over a whole `MatmulLayout` (transposed, row-strided and batched operands, a float32
   * `bias`), with A and B holding bfloat16 bit patterns, float32 products and sums: written as float32
   * into a Float32Array `out`, or rounded once to bfloat16 into a Uint16Array `out` (which cannot
   * accumulate). Present exactly where `hasBf16Matmul` holds.
   */
  matmulBf16Layout?(out: Float32Array | Uint16Array, a: Uint16Array, b: Uint16Array, layout: MatmulLayout): void;
  /**
   * The float32 product over a whole `MatmulLayout` with A and B holding float16 bit patterns, read in
   * place and widened exactly block by block: written as float32 into a Float32Array `out`, or rounded
   * once to float16 into a Uint16Array `out` (which cannot accumulate); the bits `matmul` gives on
   * float32 copies of the operands. Absent where no such kernel exists.
   */
  matmulF16Layout?(out: Float32Array | Uint16Array, a: Uint16Array, b: Uint16Array, layout: MatmulLayout): void;
  // Kernels on half bits (`dtype` "bfloat16" or "float16"), float32 arithmetic on the exactly widened
  // values, half results rounded once: the bits of the float32 kernel on widened copies, without them.
  // Each is absent where no such kernel exists.

  /** out[i] = gelu(x[i]), rounded once (reference/gelu.ts `geluForward`). */
  geluForwardHalf?(dtype: HalfBits, out: Uint16Array, x: Uint16Array, n: number, approximate: GeluApproximation): void;
  /** dx[i] = dy[i]·gelu'(x[i]), rounded once (reference/gelu.ts `geluBackward`). */
  geluBackwardHalf?(dtype: HalfBits, dx: Uint16Array, dy: Uint16Array, x: Uint16Array, n: number, approximate: GeluApproximation): void;
  /**
   * float32 out[i] = a[i] op b[i] (b[i] op a[i] when `swapped`) for i < out.length, b holding half bits:
   * `binary` on a widened b, without the widened copy. Returns false, writing nothing, for ops it has no
   * kernel for (then widen b).
   */
  binaryMixedHalf?(dtype: HalfBits, op: BinaryOpCode, out: Float32Array, a: Float32Array, b: Uint16Array, swapped: boolean): boolean;
  /** float32 out[j] = Σ_r x[r·cols + j] of half bits: `sumColumns` on a widened x, same bits. */
  sumColumnsHalf?(dtype: HalfBits, out: Float32Array, x: Uint16Array, rows: number, cols: number): void;
  /** `crossEntropyForward` on half logits, widened as read. */
  crossEntropyForwardHalf?(
    dtype: HalfBits, logits: Uint16Array, targets: Int32Array, weight: Float32Array | null, rows: number, classes: number, ignoreIndex: number,
  ): CrossEntropyRows;
  /** `crossEntropyBackward` on half logits, each float32 gradient rounded once into half dlogits. */
  crossEntropyBackwardHalf?(
    dtype: HalfBits, dlogits: Uint16Array, logits: Uint16Array, targets: Int32Array, weight: Float32Array | null, lse: Float64Array,
    gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number,
  ): void;
  /**
   * `attentionForward` on half (`dtype`) q, k, v: widened as read (the bits of the float32 op on
   * widened copies), or multiplied as half where the backend says so (the native backend's bf16
   * products round the probabilities to bf16 before P·V, as torch.autocast does). The float32 output
   * goes into `out` (the backward reads it) and the same rounded once into `outHalf`, both in `layouts.out`'s rows. Returns false, writing nothing, for cases it has no kernel
   * for (then widen the operands); absent where no such kernel exists.
   */
  attentionForwardHalf?(
    dtype: HalfBits, out: Float32Array, outHalf: Uint16Array, lse: Float64Array,
    q: AttentionOperandHalf, k: AttentionOperandHalf, v: AttentionOperandHalf, mask: AttentionMask | null, sz: AttentionSizes,
    layouts?: AttentionLayouts,
  ): boolean;
  /**
   * `attentionBackward` of `attentionForwardHalf`, with the same products (widened operands, or half
   * ones), the forward's float32 `out` read, each float32 gradient rounded once into half dq, dk, dv; false (nothing
   * written) where `attentionForwardHalf` would be. Absent where no such kernel exists.
   */
  attentionBackwardHalf?(
    dtype: HalfBits, dq: Uint16Array | null, dk: Uint16Array | null, dv: Uint16Array | null, dOut: Uint16Array, out: Float32Array, lse: Float64Array,
    q: AttentionOperandHalf, k: AttentionOperandHalf, v: AttentionOperandHalf, mask: AttentionMask | null, sz: AttentionSizes,
    layouts?: AttentionLayouts,
  ): boolean;
  /** bfloat16 bits of x[i] (round to nearest even, NaN as 0xffff: io/half.ts `float32ToBFloat16`); absent where no faster kernel exists. */
  float32ToBFloat16?(out: Uint16Array, x: Float32Array): void;
  /** float32 values of bfloat16 bits (io/half.ts `bfloat16ToFloat32`); absent where no faster kernel exists. */
  bfloat16ToFloat32?(out: Float32Array, x: Uint16Array): void;
  /** float16 bits of x[i] (round to nearest even, NaN as sign | 0x7E00: io/half.ts `float32ToFloat16`); absent where no faster kernel exists. */
  float32ToFloat16?(out: Uint16Array, x: Float32Array): void;
  /** float32 values of float16 bits (exact: io/half.ts `float16ToFloat32`); absent where no faster kernel exists. */
  float16ToFloat32?(out: Float32Array, x: Uint16Array): void;
  /**
   * dst[dstOffset + Σ i_d·dstStrides[d]] = src[srcOffset + Σ i_d·srcStrides[d]] over every index of
   * `sizes` (tensor/strided.ts copyView, after it merges dims), the raw elements of one typed array
   * type. Returns false, copying nothing, where the arrays' types differ or they share a buffer (the
   * caller then walks the rows itself). Absent where no faster copy exists.
   */
  copyStrided?(
    dst: ElementArray, src: ElementArray, sizes: readonly number[], dstStrides: readonly number[], srcStrides: readonly number[],
    dstOffset: number, srcOffset: number,
  ): boolean;
  /** out (contiguous [batch, m, n]) = op(A) · op(B). A, B and out share one float type. */
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void;

  // Elementwise kernels and sums over contiguous arrays of one float type. Op codes and formulas are the
  // reference's (reference/elementwise.ts `BinaryOp`, reference/unary.ts `UnaryOp`); a backend runs the
  // reference loop for any op or size it has no faster kernel for. `out` may be one of the inputs.

  /** out[i] = a[i] op b[i] for i < out.length. */
  binary(op: BinaryOpCode, out: FloatArray, a: FloatArray, b: FloatArray): void;
  /** out[i] = a[i] op y for i < out.length. */
  binaryScalar(op: BinaryOpCode, out: FloatArray, a: FloatArray, y: number): void;
  /**
   * [rows, cols] ∘ [cols], cols = block.length: out[r·cols + j] = full[r·cols + j] op block[j], or
   * block[j] op full[r·cols + j] when `swapped` (x + bias, x · scale).
   */
  binaryRows(op: BinaryOpCode, out: FloatArray, full: FloatArray, block: FloatArray, swapped: boolean): void;
  /** out[i] = op(x[i]) for i < out.length; `p` is the op's parameter (reference/unary.ts). */
  unary(op: UnaryOpCode, out: FloatArray, x: FloatArray, p: number): void;
  /** gx[i] = g[i]·op'(x[i]) given y = op(x), for i < gx.length. */
  unaryBackward(op: UnaryOpCode, gx: FloatArray, g: FloatArray, x: FloatArray, y: FloatArray, p: number): void;
  /** Σ x[i] over the whole array (float64 accumulation). */
  sum(x: FloatArray): number;
  /** out[r] = Σ_j x[r·cols + j] for r < rows: the sum over the last dim. */
  sumRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void;
  /** out[j] = Σ_r x[r·cols + j] for j < cols: the sum over leading rows (bias gradients); overwrites out. */
  sumColumns(out: FloatArray, x: FloatArray, rows: number, cols: number): void;

  // Fused row kernels of a transformer's hot path. Formulas, argument meanings and which outputs are
  // accumulated are documented on the reference implementations named in each comment.

  /** Row-wise LayerNorm; see reference/layernorm.ts `layerNormForward`. */
  layerNormForward(
    out: FloatArray, mean: FloatArray, rstd: FloatArray, x: FloatArray, w: FloatArray | null, b: FloatArray | null,
    rows: number, cols: number, eps: number,
  ): void;
  /** Writes dx, adds into dw and db; see reference/layernorm.ts `layerNormBackward`. */
  layerNormBackward(
    dx: FloatArray | null, dw: FloatArray | null, db: FloatArray | null, dy: FloatArray, x: FloatArray,
    mean: FloatArray, rstd: FloatArray, w: FloatArray | null, rows: number, cols: number,
  ): void;
  /** Row-wise RMSNorm, saving rstd per row; see reference/rmsnorm.ts `rmsNormForward`. */
  rmsNormForward(out: FloatArray, rstd: FloatArray, x: FloatArray, w: FloatArray | null, rows: number, cols: number, eps: number): void;
  /** Writes dx, adds into dw; see reference/rmsnorm.ts `rmsNormBackward`. */
  rmsNormBackward(
    dx: FloatArray | null, dw: FloatArray | null, dy: FloatArray, x: FloatArray, rstd: FloatArray, w: FloatArray | null,
    rows: number, cols: number,
  ): void;
  /** Gathers rows out[i] = weight[ids[i]] of a [num, dim] table; see reference/embedding.ts `embeddingForward`. */
  embeddingForward(out: FloatArray, weight: FloatArray, ids: Int32Array, n: number, dim: number, num: number): void;
  /** Scatter-adds dOut rows into dWeight (accumulated; paddingIdx skipped); see reference/embedding.ts `embeddingBackward`. */
  embeddingBackward(
    dWeight: FloatArray, dOut: FloatArray, ids: Int32Array, n: number, dim: number, num: number, paddingIdx: number | null,
  ): void;
  /**
   * `layerNormForward` on half (`float16` or `bfloat16`) bits: x, w, b and out half, mean and rstd
   * float32; the bits of the float32 kernel on widened copies, the output rounded once. Absent where no
   * such kernel exists.
   */
  layerNormForwardHalf?(
    dtype: HalfBits, out: Uint16Array, mean: Float32Array, rstd: Float32Array, x: Uint16Array, w: Uint16Array | null,
    b: Uint16Array | null, rows: number, cols: number, eps: number,
  ): void;
  /** `layerNormBackward` on half bits: dx half (rounded once), dw and db float32 (added into), as on widened copies. */
  layerNormBackwardHalf?(
    dtype: HalfBits, dx: Uint16Array | null, dw: Float32Array | null, db: Float32Array | null, dy: Uint16Array,
    x: Uint16Array, mean: Float32Array, rstd: Float32Array, w: Uint16Array | null, rows: number, cols: number,
  ): void;
  /** `softmaxForward` on half bits, the output rounded once; absent where no such kernel exists. */
  softmaxForwardHalf?(dtype: HalfBits, out: Uint16Array, x: Uint16Array, rows: number, cols: number, log: boolean): void;
  /**
   * `softmaxBackward` of a half softmax from its input x (the float32 output is recomputed, the bits the
   * float32 op would have kept), dx rounded once.
   */
  softmaxBackwardHalf?(
    dtype: HalfBits, dx: Uint16Array, dy: Uint16Array, x: Uint16Array, rows: number, cols: number, log: boolean,
  ): void;
  /** Row-wise softmax or log-softmax; see reference/softmax.ts `softmaxForward`. */
  softmaxForward(out: FloatArray, x: FloatArray, rows: number, cols: number, log: boolean): void;
  /** see reference/softmax.ts `softmaxBackward`. */
  softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number, log: boolean): void;
  /** Fused softmax cross-entropy per row; see reference/crossentropy.ts `crossEntropyForward`. */
  crossEntropyForward(
    logits: FloatArray, targets: Int32Array, weight: FloatArray | null, rows: number, classes: number, ignoreIndex: number,
  ): CrossEntropyRows;
  /** Writes dlogits; see reference/crossentropy.ts `crossEntropyBackward`. */
  crossEntropyBackward(
    dlogits: FloatArray, logits: FloatArray, targets: Int32Array, weight: FloatArray | null, lse: Float64Array,
    gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number,
  ): void;
  /** out[i] = gelu(x[i]) for i < n; see reference/gelu.ts `geluForward`. */
  geluForward(out: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void;
  /** dx[i] = dy[i]·gelu'(x[i]) (written); see reference/gelu.ts `geluBackward`. */
  geluBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void;
  /**
   * out[i] = x[i]·z_i for i < n with the counter-based dropout mask of `seed` (kept with probability
   * 1 − p, scaled by 1/(1 − p)); see reference/dropout.ts `dropoutApply`. The same call on a gradient
   * is the backward. `out` may be `x`.
   */
  dropout(out: FloatArray, x: FloatArray, n: number, p: number, seed: readonly [number, number]): void;
  /** One Adam/AdamW step in place; see reference/adamw.ts `adamwUpdate`. */
  adamwUpdate(
    param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, maxExpAvgSq: FloatArray | null,
    h: AdamWHyperparameters,
  ): void;
  /**
   * Fused scaled dot-product attention; see reference/attention.ts `attentionForward`. `layouts` places
   * the output rows (e.g. in a permuted view's order); absent, they are contiguous.
   */
  attentionForward(
    out: FloatArray, lse: Float64Array, weights: FloatArray | null,
    q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
    layouts?: AttentionLayouts,
  ): void;
  /** Gradients of attentionForward (overwritten); see reference/attention.ts `attentionBackward`. */
  attentionBackward(
    dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dMask: FloatArray | null,
    dOut: FloatArray, out: FloatArray, lse: Float64Array,
    q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
    layouts?: AttentionLayouts,
  ): void;

  // Fused recurrent cells: one call is one time step for the whole batch, from both gate projections
  // (xg = x·W_ihᵀ + b_ih, hg = h·W_hhᵀ + b_hh). Formulas, gate order and outputs as in
  // reference/recurrent.ts.

  /** LSTM step (peephole and coupled input-forget variants); see reference/recurrent.ts `lstmCellForward`. */
  lstmCellForward(
    h: FloatArray, c: FloatArray, gates: FloatArray, tanhC: FloatArray,
    xg: FloatArray, hg: FloatArray, cPrev: FloatArray, peephole: FloatArray | null, coupled: boolean,
    batch: number, hidden: number,
  ): void;
  /** Writes dPre and dcPrev, adds into dPeephole; see reference/recurrent.ts `lstmCellBackward`. */
  lstmCellBackward(
    dPre: FloatArray, dcPrev: FloatArray, dPeephole: FloatArray | null,
    dh: FloatArray, dc: FloatArray | null,
    gates: FloatArray, cPrev: FloatArray, c: FloatArray, tanhC: FloatArray, peephole: FloatArray | null, coupled: boolean,
    batch: number, hidden: number,
  ): void;
  /** GRU step; see reference/recurrent.ts `gruCellForward`. */
  gruCellForward(
    h: FloatArray, gates: FloatArray, xg: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
  ): void;
  /** Writes dxg, dhg and the direct part of dhPrev; see reference/recurrent.ts `gruCellBackward`. */
  gruCellBackward(
    dxg: FloatArray, dhg: FloatArray, dhPrev: FloatArray,
    dh: FloatArray, gates: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
  ): void;
  /** Elman RNN step; see reference/recurrent.ts `rnnCellForward`. */
  rnnCellForward(
    h: FloatArray, xg: FloatArray, hg: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
  ): void;
  /** see reference/recurrent.ts `rnnCellBackward`. */
  rnnCellBackward(
    dPre: FloatArray, dh: FloatArray, h: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
  ): void;
}
