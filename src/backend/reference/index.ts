/** The reference backend: readable TypeScript kernels, the oracle every faster backend is tested against. */
import type { Backend, FloatArray, MatmulLayout } from "../backend.js";
import { adamwUpdate, type AdamWHyperparameters } from "./adamw.js";
import { crossEntropyBackward, crossEntropyForward, type CrossEntropyRows } from "./crossentropy.js";
import { dropoutApply } from "./dropout.js";
import { geluBackward, geluForward, type GeluApproximation } from "./gelu.js";
import {
  binaryContiguous, binaryRows, binaryScalar, sumAll, sumColumns, sumRows, type BinaryOpCode,
} from "./elementwise.js";
import { unaryBackward, unaryForward, type UnaryOpCode } from "./unary.js";
import { layerNormBackward, layerNormForward } from "./layernorm.js";
import { rmsNormBackward, rmsNormForward } from "./rmsnorm.js";
import { embeddingBackward, embeddingForward } from "./embedding.js";
import { matmulReference } from "./matmul.js";
import { softmaxBackward, softmaxForward } from "./softmax.js";
import {
  attentionBackward, attentionForward, type AttentionLayouts, type AttentionMask, type AttentionOperand, type AttentionSizes,
} from "./attention.js";
import {
  gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward, rnnCellBackward, rnnCellForward, type RnnNonlinearity,
} from "./recurrent.js";

export class ReferenceBackend implements Backend {
  readonly name: string = "js";
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void {
    matmulReference(out, a, b, layout);
  }

  binary(op: BinaryOpCode, out: FloatArray, a: FloatArray, b: FloatArray): void {
    binaryContiguous(op, out, a, 0, b, 0);
  }

  binaryScalar(op: BinaryOpCode, out: FloatArray, a: FloatArray, y: number): void {
    binaryScalar(op, out, a, 0, y);
  }

  binaryRows(op: BinaryOpCode, out: FloatArray, full: FloatArray, block: FloatArray, swapped: boolean): void {
    binaryRows(op, out, full, 0, block, 0, block.length, swapped);
  }

  unary(op: UnaryOpCode, out: FloatArray, x: FloatArray, p: number): void {
    unaryForward(op, out, x, 0, p);
  }

  unaryBackward(op: UnaryOpCode, gx: FloatArray, g: FloatArray, x: FloatArray, y: FloatArray, p: number): void {
    unaryBackward(op, gx, g, x, y, p);
  }

  sum(x: FloatArray): number {
    return sumAll(x, x.length);
  }

  sumRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    sumRows(out, x, rows, cols);
  }

  sumColumns(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    sumColumns(out, x, rows, cols);
  }

  layerNormForward(
    out: FloatArray, mean: FloatArray, rstd: FloatArray, x: FloatArray, w: FloatArray | null, b: FloatArray | null,
    rows: number, cols: number, eps: number,
  ): void {
    layerNormForward(out, mean, rstd, x, w, b, rows, cols, eps);
  }

  layerNormBackward(
    dx: FloatArray | null, dw: FloatArray | null, db: FloatArray | null, dy: FloatArray, x: FloatArray,
    mean: FloatArray, rstd: FloatArray, w: FloatArray | null, rows: number, cols: number,
  ): void {
    layerNormBackward(dx, dw, db, dy, x, mean, rstd, w, rows, cols);
  }

  rmsNormForward(out: FloatArray, rstd: FloatArray, x: FloatArray, w: FloatArray | null, rows: number, cols: number, eps: number): void {
    rmsNormForward(out, rstd, x, w, rows, cols, eps);
  }

  rmsNormBackward(
    dx: FloatArray | null, dw: FloatArray | null, dy: FloatArray, x: FloatArray, rstd: FloatArray, w: FloatArray | null,
    rows: number, cols: number,
  ): void {
    rmsNormBackward(dx, dw, dy, x, rstd, w, rows, cols);
  }

  embeddingForward(out: FloatArray, weight: FloatArray, ids: Int32Array, n: number, dim: number, num: number): void {
    embeddingForward(out, weight, ids, n, dim, num);
  }

  embeddingBackward(
    dWeight: FloatArray, dOut: FloatArray, ids: Int32Array, n: number, dim: number, num: number, paddingIdx: number | null,
  ): void {
    embeddingBackward(dWeight, dOut, ids, n, dim, num, paddingIdx);
  }

  softmaxForward(out: FloatArray, x: FloatArray, rows: number, cols: number, log: boolean): void {
    softmaxForward(out, x, rows, cols, log);
  }

  softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number, log: boolean): void {
    softmaxBackward(dx, dy, y, rows, cols, log);
  }

  crossEntropyForward(
    logits: FloatArray, targets: Int32Array, weight: FloatArray | null, rows: number, classes: number, ignoreIndex: number,
  ): CrossEntropyRows {
    return crossEntropyForward(logits, targets, weight, rows, classes, ignoreIndex);
  }

  crossEntropyBackward(
    dlogits: FloatArray, logits: FloatArray, targets: Int32Array, weight: FloatArray | null, lse: Float64Array,
    gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number,
  ): void {
    crossEntropyBackward(dlogits, logits, targets, weight, lse, gNll, gSmooth, rows, classes, ignoreIndex);
  }

  geluForward(out: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void {
    geluForward(out, x, n, approximate);
  }

  geluBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void {
    geluBackward(dx, dy, x, n, approximate);
  }

  dropout(out: FloatArray, x: FloatArray, n: number, p: number, seed: readonly [number, number]): void {
    dropoutApply(out, x, n, p, seed);
  }

  adamwUpdate(
    param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, maxExpAvgSq: FloatArray | null,
    h: AdamWHyperparameters,
  ): void {
    adamwUpdate(param, grad, expAvg, expAvgSq, maxExpAvgSq, h);
  }

  attentionForward(
    out: FloatArray, lse: Float64Array, weights: FloatArray | null,
    q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
    layouts: AttentionLayouts = {},
  ): void {
    attentionForward(out, lse, weights, q, k, v, mask, sz, layouts);
  }

  attentionBackward(
    dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dMask: FloatArray | null,
    dOut: FloatArray, out: FloatArray, lse: Float64Array,
    q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
    layouts: AttentionLayouts = {},
  ): void {
    attentionBackward(dq, dk, dv, dMask, dOut, out, lse, q, k, v, mask, sz, layouts);
  }

  lstmCellForward(
    h: FloatArray, c: FloatArray, gates: FloatArray, tanhC: FloatArray,
    xg: FloatArray, hg: FloatArray, cPrev: FloatArray, peephole: FloatArray | null, coupled: boolean,
    batch: number, hidden: number,
  ): void {
    lstmCellForward(h, c, gates, tanhC, xg, hg, cPrev, peephole, coupled, batch, hidden);
  }

  lstmCellBackward(
    dPre: FloatArray, dcPrev: FloatArray, dPeephole: FloatArray | null,
    dh: FloatArray, dc: FloatArray | null,
    gates: FloatArray, cPrev: FloatArray, c: FloatArray, tanhC: FloatArray, peephole: FloatArray | null, coupled: boolean,
    batch: number, hidden: number,
  ): void {
    lstmCellBackward(dPre, dcPrev, dPeephole, dh, dc, gates, cPrev, c, tanhC, peephole, coupled, batch, hidden);
  }

  gruCellForward(
    h: FloatArray, gates: FloatArray, xg: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
  ): void {
    gruCellForward(h, gates, xg, hg, hPrev, batch, hidden);
  }

  gruCellBackward(
    dxg: FloatArray, dhg: FloatArray, dhPrev: FloatArray,
    dh: FloatArray, gates: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
  ): void {
    gruCellBackward(dxg, dhg, dhPrev, dh, gates, hg, hPrev, batch, hidden);
  }

  rnnCellForward(
    h: FloatArray, xg: FloatArray, hg: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
  ): void {
    rnnCellForward(h, xg, hg, nonlinearity, batch, hidden);
  }

  rnnCellBackward(
    dPre: FloatArray, dh: FloatArray, h: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
  ): void {
    rnnCellBackward(dPre, dh, h, nonlinearity, batch, hidden);
  }
}
