/**
 * Classification losses: cross-entropy from logits (class indices or probabilities, ignoreIndex,
 * labelSmoothing, class weights), NLL, binary cross-entropy on probabilities and on logits (posWeight),
 * focal loss. Semantics follow PyTorch (and torchvision's sigmoid_focal_loss).
 */
import { getBackend, type FloatArray } from "../backend/index.js";
import { DTypeError, IndexError, ShapeError, ValueError, formatShape } from "../errors.js";
import {
  add, clampMinLog, exp as expOf, logSoftmax, maximum, mul, neg, permute, pow, record, reshape, rsub, sigmoid, softplus, sub, sum, abs, div,
} from "./ops.js";
import { type HalfDType, allocate, allocateUninitialized, isFloating, isHalf } from "../tensor/dtype.js";
import { anyHalf, autocastFloat32, autocasting, inFloat32 } from "../ops/half.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { checkSameShape } from "./check.js";
import { reduce, type ReductionOptions } from "./reduction.js";

/** Options of `crossEntropy`: class weights, an ignored target index, label smoothing, reduction. */
export interface CrossEntropyOptions extends ReductionOptions {
  /** Per-class weights, shape [C]. */
  weight?: Tensor;
  /** Target value whose rows are skipped (index targets only; default −100). */
  ignoreIndex?: number;
  /** ε in [0, 1]: targets become (1 − ε)·onehot + ε/C. */
  labelSmoothing?: number;
}

/** Moves the class dim (1) last and flattens: [N, C, d1, …] → [N·d1·…, C]. */
function classesLast(input: Tensor): Tensor {
  if (input.ndim <= 2) return input;
  const order = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1];
  return reshape(permute(input, order), [-1, input.shape[1] ?? 1]);
}

function checkIndexTarget(op: string, input: Tensor, target: Tensor): void {
  if (target.dtype !== "int32") throw new DTypeError(`${op}: class-index targets must be int32, got ${target.dtype}`);
  const expected = indexTargetShape(input);
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(`${op}: input ${formatShape(input.shape)} expects target shape ${formatShape(expected)}, got ${formatShape(target.shape)}`);
  }
}

/** The target shape that class indices for `input` have: [] for [C], else [N, d1, …]. */
function indexTargetShape(input: Tensor): number[] {
  return input.ndim === 1 ? [] : [input.shape[0] ?? 0, ...input.shape.slice(2)];
}

/**
 * A floating-point target holds probabilities and must have the input's shape. One with the shape of
 * class indices is a dtype mistake (indices must be int32), so it gets a DTypeError that says so,
 * instead of a ShapeError about the probabilities it was never meant to be.
 */
function checkProbabilityTarget(op: string, input: Tensor, target: Tensor): void {
  if (shapesEqual(target.shape, input.shape)) return;
  const indexShape = indexTargetShape(input);
  if (shapesEqual(target.shape, indexShape)) {
    throw new DTypeError(
      `${op}: target ${formatShape(target.shape)} has the shape of class indices but dtype ${target.dtype}; ` +
        `class indices must be int32 (target.to("int32")), and ${target.dtype} targets are probabilities of the input's shape ${formatShape(input.shape)}`,
    );
  }
  throw new ShapeError(
    `${op}: input ${formatShape(input.shape)} expects int32 class indices of shape ${formatShape(indexShape)} ` +
      `or floating-point probabilities of shape ${formatShape(input.shape)}, got ${target.dtype} ${formatShape(target.shape)}`,
  );
}

/**
 * Cross-entropy between logits [N, C] (or [C], or [N, C, d1, …]) and either int32 class indices [N, …]
 * or class probabilities of the input's shape.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  // Under autocast, half logits with class indices go to the backend's half kernels where it has them:
  // the float32 loss of the widened logits and their gradient rounded to half, as the cast below
  // gives, without a float32 copy of the logits or of their gradient.
  const halfLogits = autocasting() && isHalf(input.dtype) && !isFloating(target.dtype) &&
    (options.weight === undefined || options.weight.dtype === "float32") && getBackend().crossEntropyForwardHalf !== undefined;
  // Half logits (or probabilities): float32 log-softmax and sums, the loss rounded to the logits' dtype.
  if (autocasting() && isHalf(input.dtype) && !halfLogits) return crossEntropy(autocastFloat32(input), autocastFloat32(target), options); // autocast: losses in float32
  if (anyHalf(input, target, options.weight) && !halfLogits) {
    return inFloat32([input, isHalf(target.dtype) ? target : null, options.weight ?? null], input.dtype, (x, t, w) => crossEntropy(x as Tensor, t ?? target, { ...options, ...(w ? { weight: w } : {}) }));
  }
  if (!isFloating(input.dtype) && !halfLogits) throw new DTypeError(`crossEntropy: logits must be floating point, got ${input.dtype}`);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const classes = input.ndim === 1 ? (input.shape[0] ?? 0) : (input.shape[1] ?? 0);
  if (options.weight && (options.weight.ndim !== 1 || options.weight.shape[0] !== classes)) {
    throw new ShapeError(`crossEntropy: weight must have shape [${classes}], got ${formatShape(options.weight.shape)}`);
  }
  if (isFloating(target.dtype)) return crossEntropyProbabilities(input, target, classes, eps, options);
  checkIndexTarget("crossEntropy", input, target);
  const logits2d = input.ndim === 1 ? reshape(input, [1, classes]) : classesLast(input);
  const targets = Int32Array.from(target.toTypedArray());
  const ignoreIndex = options.ignoreIndex ?? -100;
  const rows = targets.length;
  for (const y of targets) {
    if (y !== ignoreIndex && (y < 0 || y >= classes)) {
      throw new IndexError(`crossEntropy: target ${y} is out of bounds for ${classes} classes`);
    }
  }
  const x = logits2d.contiguousValues(); // saved for backward; never written
  const w = options.weight ? (options.weight.toTypedArray() as FloatArray) : null;
  const be = getBackend();
  const forwardHalf = halfLogits ? be.crossEntropyForwardHalf?.bind(be) : undefined;
  const { lse, nll, smooth } = forwardHalf
    ? forwardHalf(input.dtype as HalfDType, x as Uint16Array, targets, w as Float32Array | null, rows, classes, ignoreIndex)
    : be.crossEntropyForward(x as FloatArray, targets, w, rows, classes, ignoreIndex);
  // Row losses: (1 − ε)·nll + (ε/C)·smooth; "mean" divides by Σ w_y over kept rows (PyTorch).
  const a = 1 - eps;
  const b = classes > 0 ? eps / classes : 0;
  const reduction = options.reduction ?? "mean";
  let denom = 1;
  if (reduction === "mean") {
    denom = 0;
    for (const y of targets) if (y !== ignoreIndex) denom += w ? (w[y] as number) : 1;
  }
  const dtype = halfLogits ? "float32" : input.dtype; // the autocast loss is float32
  let out: Tensor;
  if (reduction === "none") {
    const v = allocate(dtype, rows);
    for (let n = 0; n < rows; n++) v[n] = a * (nll[n] as number) + b * (smooth[n] as number);
    out = new Tensor(v, target.shape);
  } else if (reduction === "sum" || reduction === "mean") {
    let s = 0;
    for (let n = 0; n < rows; n++) s += a * (nll[n] as number) + b * (smooth[n] as number);
    const v = allocate(dtype, 1);
    v[0] = s / denom;
    out = new Tensor(v, []);
  } else {
    throw new ValueError(`crossEntropy: reduction must be "mean", "sum" or "none", got "${String(reduction)}"`);
  }
  const logitsShape = logits2d.shape;
  return record(out, "crossEntropy", [logits2d], (g) => {
    const gv = g.toTypedArray();
    const gNll = new Float64Array(rows);
    const gSmooth = new Float64Array(rows);
    for (let n = 0; n < rows; n++) {
      const gn = reduction === "none" ? (gv[n] as number) : (gv[0] as number) / denom;
      gNll[n] = a * gn;
      gSmooth[n] = b * gn;
    }
    const dx = allocateUninitialized(input.dtype, rows * classes); // ignored rows are written as 0
    if (halfLogits) {
      be.crossEntropyBackwardHalf?.(input.dtype as HalfDType, dx as Uint16Array, x as Uint16Array, targets, w as Float32Array | null, lse, gNll, gSmooth, rows, classes, ignoreIndex);
    } else be.crossEntropyBackward(dx as FloatArray, x as FloatArray, targets, w, lse, gNll, gSmooth, rows, classes, ignoreIndex);
    return [new Tensor(dx, logitsShape)];
  });
}

/** Cross-entropy against probability targets: −Σ_c w_c·t_c·log p_c per sample, "mean" over samples. */
function crossEntropyProbabilities(input: Tensor, target: Tensor, classes: number, eps: number, options: CrossEntropyOptions): Tensor {
  checkProbabilityTarget("crossEntropy", input, target);
  const dim = input.ndim === 1 ? 0 : 1;
  const logp = logSoftmax(input, dim);
  let t = target;
  if (eps > 0) t = add(mul(target, 1 - eps), eps / classes);
  let prod = mul(logp, t);
  if (options.weight) {
    const wShape = input.ndim === 1 ? [classes] : [classes, ...input.shape.slice(2).map(() => 1)];
    prod = mul(prod, reshape(options.weight, wShape));
  }
  return reduce(neg(sum(prod, dim)), options.reduction, "crossEntropy");
}

/** Options of `nllLoss`: class weights, an ignored target index, reduction. */
export interface NllOptions extends ReductionOptions {
  weight?: Tensor;
  ignoreIndex?: number;
}

/** Negative log-likelihood of log-probabilities [N, C] (or [N, C, d1, …]) at int32 class indices. */
export function nllLoss(input: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  if (autocasting() && isHalf(input.dtype)) return nllLoss(autocastFloat32(input), target, options);
  if (anyHalf(input, options.weight)) return inFloat32([input, options.weight ?? null], input.dtype, (x, w) => nllLoss(x as Tensor, target, { ...options, ...(w ? { weight: w } : {}) }));
  checkIndexTarget("nllLoss", input, target);
  const classes = input.ndim === 1 ? (input.shape[0] ?? 0) : (input.shape[1] ?? 0);
  const x2d = input.ndim === 1 ? reshape(input, [1, classes]) : classesLast(input);
  const targets = Int32Array.from(target.toTypedArray());
  const ignoreIndex = options.ignoreIndex ?? -100;
  const w = options.weight ? options.weight.toTypedArray() : null;
  const rows = targets.length;
  const x = x2d.toTypedArray();
  const per = allocate(input.dtype, rows);
  const coef = new Float64Array(rows);
  let denom = 0;
  for (let n = 0; n < rows; n++) {
    const y = targets[n] as number;
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= classes) throw new IndexError(`nllLoss: target ${y} is out of bounds for ${classes} classes`);
    const wy = w ? (w[y] as number) : 1;
    coef[n] = wy;
    denom += wy;
    per[n] = -wy * (x[n * classes + y] as number);
  }
  const perRow = record(new Tensor(per, target.shape), "nllLoss", [x2d], (g) => {
    const gv = g.toTypedArray();
    const dx = allocate(input.dtype, rows * classes);
    for (let n = 0; n < rows; n++) {
      const y = targets[n] as number;
      if (y !== ignoreIndex) dx[n * classes + y] = -(coef[n] as number) * (gv[n] as number);
    }
    return [new Tensor(dx, x2d.shape)];
  });
  if ((options.reduction ?? "mean") === "mean") return div(sum(perRow), denom);
  return reduce(perRow, options.reduction, "nllLoss");
}

/** Options of `binaryCrossEntropy`: element weights and reduction. */
export interface BceOptions extends ReductionOptions {
  /** Rescaling weight broadcast against the loss. */
  weight?: Tensor;
}

/** Binary cross-entropy on probabilities: −w[y·log p + (1−y)·log(1−p)], logs clamped at −100 as PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BceOptions = {}): Tensor {
  checkSameShape("binaryCrossEntropy", input, target);
  const p = input.toTypedArray();
  for (const v of p) {
    if (!(v >= 0 && v <= 1)) throw new ValueError(`binaryCrossEntropy: input values must be in [0, 1], got ${v}`);
  }
  let loss = neg(add(mul(target, clampMinLog(input)), mul(rsub(target, 1), clampMinLog(rsub(input, 1)))));
  if (options.weight) loss = mul(loss, options.weight);
  return reduce(loss, options.reduction, "binaryCrossEntropy");
}

/** Options of `bceWithLogits`: adds `posWeight`, the weight of positive examples per class. */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of positive examples, broadcast over the class dim (last dim). */
  posWeight?: Tensor;
}

/**
 * BCE on logits, stable for any x: (1 − y)·x + (1 + (pw − 1)·y)·softplus(−x), where
 * softplus(−x) = log(1 + e^(−|x|)) + max(−x, 0) never overflows.
 */
export function bceWithLogits(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  checkSameShape("bceWithLogits", input, target);
  const spNeg = add(softplusOfNegAbs(input), maximum(neg(input), 0));
  const logWeight = options.posWeight ? add(mul(sub(options.posWeight, 1), target), 1) : null;
  let loss = add(mul(rsub(target, 1), input), logWeight ? mul(logWeight, spNeg) : spNeg);
  if (options.weight) loss = mul(loss, options.weight);
  return reduce(loss, options.reduction, "bceWithLogits");
}

/** log(1 + e^(−|x|)) */
function softplusOfNegAbs(x: Tensor): Tensor {
  return softplus(neg(abs(x)));
}

/** Options of `focalLoss`: the focusing exponent γ, the class balance α, reduction. */
export interface FocalOptions extends ReductionOptions {
  /** Focusing parameter γ ≥ 0 (default 2). */
  gamma?: number;
  /**
   * Binary: weight α of positives in [0, 1] (default 0.25 as torchvision; negative disables).
   * Multi-class: per-class weights [C] (default none).
   */
  alpha?: number | Tensor;
}

/**
 * Focal loss (Lin et al.) on logits. With float targets of the input's shape it is torchvision's
 * `sigmoid_focal_loss`: ce·(1 − p_t)^γ·α_t with p = σ(x), p_t = p·y + (1 − p)(1 − y),
 * α_t = α·y + (1 − α)(1 − y). With int32 class indices and logits [N, C] it is the softmax form
 * −α_y·(1 − p_y)^γ·log p_y.
 */
export function focalLoss(input: Tensor, target: Tensor, options: FocalOptions = {}): Tensor {
  const gamma = options.gamma ?? 2;
  if (!(gamma >= 0)) throw new ValueError(`focalLoss: gamma must be non-negative, got ${gamma}`);
  if (isFloating(target.dtype)) {
    checkProbabilityTarget("focalLoss", input, target);
    const p = sigmoid(input);
    const ce = bceWithLogits(input, target, { reduction: "none" });
    const pt = add(mul(p, target), mul(rsub(p, 1), rsub(target, 1)));
    let loss = mul(ce, pow(rsub(pt, 1), gamma));
    const alpha = options.alpha ?? 0.25;
    if (typeof alpha !== "number") throw new ValueError("focalLoss: binary focal loss takes a number alpha");
    if (alpha >= 0) loss = mul(loss, add(mul(target, alpha), mul(rsub(target, 1), 1 - alpha)));
    return reduce(loss, options.reduction, "focalLoss");
  }
  checkIndexTarget("focalLoss", input, target);
  if (input.ndim !== 2) throw new ShapeError(`focalLoss: multi-class focal loss expects logits [N, C], got ${formatShape(input.shape)}`);
  const logp = logSoftmax(input, 1);
  const logpY = neg(nllLoss(logp, target, { reduction: "none" })); // log p_y per row
  const pY = expOf(logpY);
  let loss = neg(mul(pow(rsub(pY, 1), gamma), logpY));
  if (options.alpha !== undefined) {
    if (typeof options.alpha === "number") loss = mul(loss, options.alpha);
    else {
      const a = options.alpha.toTypedArray();
      const t = target.toTypedArray();
      const at = allocate(input.dtype, t.length);
      for (let i = 0; i < t.length; i++) at[i] = a[t[i] as number] as number;
      loss = mul(loss, new Tensor(at, target.shape));
    }
  }
  return reduce(loss, options.reduction, "focalLoss");
}

