/**
 * scaledDotProductAttention: softmax(Q Kᵀ · scale + mask) V as one fused differentiable op over the
 * reference kernel (backend/reference/attention.ts), with a hand-written backward that recomputes the
 * probabilities from the saved output and row logsumexps instead of keeping the [.., T, S] matrix.
 *
 * Shapes (any equal-or-broadcastable leading dims L, usually [B, H]):
 *   q [...L, T, D], k [...L, S, D], v [...L, S, Dv] → out [...L, T, Dv]
 *   mask broadcastable to [...L, T, S], e.g. a padding mask [B, 1, 1, S]
 * B batch, H heads, T query length, S key length, D head dim.
 *
 * Causal alignment. PyTorch 2.x `F.scaled_dot_product_attention(is_causal=True)` is top-left
 * aligned: query i sees keys j ≤ i, its mask being `torch.ones(T, S).tril(0)` (1.13 has no SDPA; its
 * nn.Transformer causal masks are square, where both alignments agree). That is the default here
 * (`causalOffset` 0). For cached decoding the T queries are the LAST T of S positions, so pass
 * `causalOffset: S − T` (bottom-right alignment, PyTorch's `attention.bias.causal_lower_right`):
 * query i sees keys j ≤ i + S − T.
 *
 * Differences from PyTorch, on purpose: `mask` and `isCausal` may be combined (padding + causal); a
 * query row whose keys are all masked gives output 0 and gradient 0 (flash-attention's convention)
 * instead of NaN.
 */
import type {
  AttentionLayouts, AttentionMask, AttentionOperand, AttentionOperandHalf, AttentionRowLayout, AttentionSizes,
} from "../../backend/reference/attention.js";
import { getBackend, type FloatArray } from "../../backend/index.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { DTypeError, ShapeError, ValueError, formatShape } from "../../errors.js";
import { contiguous, expand, narrow, record, reshape, sumToShape, transpose } from "../../ops/index.js";
import { type HalfDType, type Storage, allocate, allocateUninitialized, convertStorage, isFloating, isHalf, widenHalfInto } from "../../tensor/dtype.js";
import { anyHalf, autocastOperand, autocasting, checkSameHalf, inFloat32 } from "../../ops/half.js";
import { to } from "../../ops/cast.js";
import { defaultGenerator, type Generator } from "../../tensor/rng.js";
import { broadcastShapes, numel, stridedOffsets } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { isRecyclable, recycleBuffer } from "../../tensor/storage-pool.js";

/** Options of `scaledDotProductAttention`: masks, causality, an additive bias, dropout, scale. */
export interface ScaledDotProductAttentionOptions {
  /** Boolean (true = attend, as PyTorch's `attn_mask`) or additive float mask, broadcastable to [...L, T, S]. */
  mask?: Tensor | null;
  /** Mask out future keys (see causalOffset for the alignment). */
  isCausal?: boolean;
  /** Query i sees keys j ≤ i + causalOffset (default 0, PyTorch's top-left; S − T for cached decoding). */
  causalOffset?: number;
  /** Dropout probability on the attention weights (default 0; pass 0 in evaluation). */
  dropout?: number;
  /** Multiplier of Q Kᵀ (default 1/√D). */
  scale?: number;
  /**
   * ALiBi slopes, one per head (the last leading dim, H of [B, H, T, D]): adds −slope·|i + alibiOffset − j|
   * to the scores, computed in the kernel instead of materialising an [H, T, S] bias.
   */
  alibiSlopes?: readonly number[];
  /** Position of query 0 relative to key 0 for ALiBi (default S − T: queries are the last T keys). */
  alibiOffset?: number;
  /** Generator that seeds the dropout mask (default: the global seeded generator). */
  generator?: Generator;
  /** Also return the [...L, T, S] attention probabilities (before dropout, not differentiable). */
  returnWeights?: boolean;
}

/** The attention output together with the attention weights [B, heads, T, S]. */
export interface AttentionWithWeights {
  output: Tensor;
  weights: Tensor;
}

/**
 * A tensor's [..., rows, cols] geometry as the kernel reads it, broadcast to leading dims `lead`.
 * Copies only when the last dim is not contiguous.
 */
function operand(x: Tensor, lead: readonly number[]): AttentionOperand {
  const cols = x.shape[x.ndim - 1] as number;
  const src = cols > 1 && x.strides[x.ndim - 1] !== 1 ? noGrad(() => contiguous(x)) : x;
  const rows = src.shape[src.ndim - 2] as number;
  const ex = noGrad(() => expand(src.detach(), [...lead, rows, cols]));
  const leadStrides = ex.strides.slice(0, lead.length);
  return { data: src.storage as FloatArray, offsets: stridedOffsets(lead, leadStrides, ex.offset), strideRow: ex.strides[lead.length] as number };
}

/**
 * Strides for a fresh [...lead, rows, cols] tensor that keeps x's order of dims in memory (as PyTorch's
 * `empty_like` with preserve_format), or null when that order is the row-major one or x is broadcast
 * (shape other than [...lead, rows, x's cols], or a stride-0 dim). For the heads of a [B, T, H, D]
 * tensor, x = transpose(reshape(t), 1, 2) with strides [T·C, D, C, 1], this lays the result out as
 * [B, T, H, D] too, so transpose + reshape back to [B, T, C] is a view and the gradients flowing back
 * through the same view ops are never copied.
 */
function stridesLike(x: Tensor, lead: readonly number[], rows: number, cols: number): number[] | null {
  const nd = lead.length + 2;
  if (x.ndim !== nd || x.strides[nd - 1] !== 1) return null;
  const shape = [...lead, rows, cols];
  for (let i = 0; i < nd - 1; i++) {
    if (i < nd - 2 && x.shape[i] !== shape[i]) return null;
    if ((x.shape[i] as number) > 1 && x.strides[i] === 0) return null;
  }
  // Outer dims by decreasing stride (stable: ties keep their order); the last dim stays innermost.
  const order = Array.from({ length: nd - 1 }, (_, i) => i).sort((a, b) => (x.strides[b] as number) - (x.strides[a] as number) || a - b);
  if (order.every((d, i) => d === i)) return null;
  const strides = new Array<number>(nd);
  strides[nd - 1] = 1;
  let step = cols;
  for (let i = order.length - 1; i >= 0; i--) {
    const d = order[i] as number;
    strides[d] = step;
    step *= shape[d] as number;
  }
  return strides;
}

/**
 * The float32 buffers one call of the half (bf16, fp16) fallback path widens operands into and takes
 * float32 gradients from, each done with when the call returns (the forward keeps only its float32
 * output, and the backward widens q, k and v again). Inside a backward (a checkpoint's recomputed
 * forward, or the op's own backward) they go back to the storage pool for the next call; none is held
 * between calls, so a model's attention keeps no float32 copies alive while its other layers run (they
 * were 7 buffers of a layer's q/k/v size, 84 MiB for the SMALL GPT at 8 × 1024 tokens, held for good).
 */
class Scratch {
  private readonly taken: Float32Array[] = [];

  /** A buffer of `size` float32 elements, contents undefined. */
  take(size: number): Float32Array {
    const buffer = allocateUninitialized("float32", size) as Float32Array;
    this.taken.push(buffer);
    return buffer;
  }

  /** The call is done with every buffer taken: pooled where the engine's recycling allows. */
  release(): void {
    for (const b of this.taken) if (isRecyclable(b.buffer)) recycleBuffer(b.buffer);
    this.taken.length = 0;
  }
}

/**
 * A half (bfloat16 or float16) tensor's values as a float32 tensor with the same shape, strides and
 * offset, over its whole storage widened into a buffer of `scratch` (tensors viewing one storage share
 * one widening through `widened`); a view that reaches only a small part of its storage is widened alone.
 */
function widenedView(x: Tensor, scratch: Scratch, widened: Map<Storage, Float32Array>): Tensor {
  if (!isHalf(x.dtype)) return x;
  const whole = x.storage.length <= 2 * x.size;
  const stored = whole ? x.storage : x.contiguousValues();
  const src = stored as Uint16Array;
  let wide = widened.get(stored);
  if (wide === undefined) {
    wide = scratch.take(src.length);
    widenHalfInto(wide, src, x.dtype);
    widened.set(stored, wide);
  }
  return whole ? new Tensor(wide, x.shape, x.strides, x.offset) : new Tensor(wide, x.shape);
}

/** The kernel's row layout of a [...lead, rows, cols] tensor with these strides and offset. */
function rowLayout(lead: readonly number[], strides: readonly number[], offset: number): AttentionRowLayout {
  return { offsets: stridedOffsets(lead, strides.slice(0, lead.length), offset), strideRow: strides[lead.length] as number };
}

function maskOperand(mask: Tensor, lead: readonly number[], t: number, s: number): AttentionMask {
  const ex = noGrad(() => expand(mask.detach(), [...lead, t, s]));
  return {
    data: mask.storage as FloatArray | Uint8Array,
    additive: mask.dtype !== "bool",
    offsets: stridedOffsets(lead, ex.strides.slice(0, lead.length), ex.offset),
    strideT: ex.strides[lead.length] as number,
    strideS: ex.strides[lead.length + 1] as number,
  };
}

/**
 * softmax(Q·Kᵀ/√d + mask)·V over the last two dimensions, in one fused op with its own backward rule; optional causal mask,
 * attention mask, bias (ALiBi) and dropout.
 * @example
 * ```ts
 * import { randn, nn } from "loom";
 * const q = randn([1, 2, 4, 8]); // [B, heads, T, head size]
 * const out = nn.functional.scaledDotProductAttention(q, q, q, { isCausal: true }); // [1, 2, 4, 8]
 * ```
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions & { returnWeights: true }): AttentionWithWeights;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options?: ScaledDotProductAttentionOptions): Tensor;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor | AttentionWithWeights {
  const op = "scaledDotProductAttention";
  if (autocasting()) {
    const [cq, ck, cv] = [autocastOperand(q), autocastOperand(k), autocastOperand(v)];
    if (cq !== q || ck !== k || cv !== v) return scaledDotProductAttention(cq, ck, cv, options);
  }
  if (anyHalf(q, k, v)) {
    // Half q, k, v (all one dtype, as PyTorch requires): the fused op reads them in place (at most a
    // boolean mask, no weights asked for); otherwise the op runs on float32 copies, rounded back.
    checkSameHalf(op, q, k, v);
    const dtype = q.dtype;
    if (!options.returnWeights && (options.mask === undefined || options.mask === null || options.mask.dtype === "bool")) {
      return fusedAttention(q, k, v, options, true);
    }
    if (options.returnWeights) {
      let weights: Tensor | null = null;
      const output = inFloat32([q, k, v], dtype, (qw, kw, vw) => {
        const r = scaledDotProductAttention(qw, kw, vw, { ...options, returnWeights: true });
        weights = r.weights;
        return r.output;
      });
      return { output, weights: to(weights as unknown as Tensor, dtype) };
    }
    return inFloat32([q, k, v], dtype, (qw, kw, vw) => scaledDotProductAttention(qw, kw, vw, { ...options, returnWeights: false }));
  }
  return fusedAttention(q, k, v, options, false);
}

/**
 * scaledDotProductAttention over queries, keys and values packed side by side in one tensor: `qkv`
 * [B, T, 3·H·D] (q in columns [0, C), k in [C, 2C), v in [2C, 3C), C = H·D: GPT-2's c_attn output)
 * → [B, H, T, D]. The heads are read in place as strided views, and the backward writes dq, dk and
 * dv straight into one [B, T, 3C] gradient: three slices of qkv would each send back a zero-padded
 * gradient of qkv's full size, to be summed. The same values as slicing q, k, v out of qkv and
 * calling scaledDotProductAttention on their heads (which it does where the fused kernels do not
 * apply: weights asked for, or an additive mask on half operands).
 */
export function packedScaledDotProductAttention(qkv: Tensor, numHeads: number, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = "packedScaledDotProductAttention";
  const [B, T, C3] = qkv.shape as [number, number, number];
  if (qkv.ndim !== 3 || C3 % (3 * numHeads) !== 0) {
    throw new ShapeError(`${op}: qkv must be [B, T, 3·C] with C divisible by ${numHeads} heads, got ${formatShape(qkv.shape)}`);
  }
  if (options.returnWeights) throw new ValueError(`${op}: returnWeights is not supported (use scaledDotProductAttention on the split heads)`);
  if (autocasting()) {
    const cast = autocastOperand(qkv);
    if (cast !== qkv) return packedScaledDotProductAttention(cast, numHeads, options);
  }
  const C = C3 / 3;
  const D = C / numHeads;
  const half = isHalf(qkv.dtype);
  if (!half && !isFloating(qkv.dtype)) throw new DTypeError(`${op}: qkv must be floating-point, got ${qkv.dtype}`);
  const mask = options.mask ?? null;
  const source = qkv.isContiguous() ? qkv : contiguous(qkv);
  const heads = (i: number, x: Tensor): Tensor => new Tensor(x.storage, [B, numHeads, T, D], [T * C3, D, C3, 1], x.offset + i * C);
  if (half && mask !== null && mask.dtype !== "bool") {
    // The half kernels take boolean masks only: the general op on recorded slices.
    const part = (i: number): Tensor => transpose(reshape(narrow(source, 2, i * C, C), [B, T, numHeads, D]), 1, 2);
    return scaledDotProductAttention(part(0), part(1), part(2), options);
  }
  const base = source.detach();
  return fusedAttention(heads(0, base), heads(1, base), heads(2, base), options, half, source) as Tensor;
}

/** A half tensor as the half kernels read it in place (as `operand`, on its 16-bit patterns). */
function halfOperand(x: Tensor, lead: readonly number[]): AttentionOperandHalf {
  const o = operand(x, lead);
  return { data: o.data as unknown as Uint16Array, offsets: o.offsets, strideRow: o.strideRow };
}

/**
 * The fused op. With `half` (bfloat16 or float16 q, k, v and at most a boolean mask) a backend with
 * half attention kernels (`attentionForwardHalf`) reads the half operands in place, writes the float32
 * output (kept for the backward) and its half rounding, and rounds each gradient once into half storage;
 * otherwise the kernels run in float32
 * on widenings of the operands' storages into reused scratch, read through the operands' own strides
 * (one conversion per storage, shared by q, k and v when they view one buffer), and the output and
 * gradients are rounded to the half dtype once, in the layouts the float32 op gives them: the same bits as
 * the op on float32 casts (`inFloat32`), without recomputing the forward in the backward — the float32
 * output the backward needs is kept instead, and q, k, v are widened again.
 * With `packed` (packedScaledDotProductAttention), q, k and v are unrecorded views of that contiguous
 * tensor: it is the op's input, and its one gradient has dq, dk and dv written into their places.
 */
function fusedAttention(
  q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions, half: boolean, packed: Tensor | null = null,
): Tensor | AttentionWithWeights {
  const op = "scaledDotProductAttention";
  for (const [name, x] of [["q", q], ["k", k], ["v", v]] as const) {
    if (!(half ? isHalf(x.dtype) : isFloating(x.dtype))) throw new DTypeError(`${op}: ${name} must be floating-point, got ${x.dtype}`);
    if (x.ndim < 2) throw new ShapeError(`${op}: ${name} must have at least 2 dims [..., len, dim], got ${formatShape(x.shape)}`);
  }
  // The dtype the kernels compute and store their float results in.
  const compute = half ? "float32" : q.dtype;
  if (k.dtype !== q.dtype || v.dtype !== q.dtype) throw new DTypeError(`${op}: q, k, v dtypes differ (${q.dtype}, ${k.dtype}, ${v.dtype})`);
  const T = q.shape[q.ndim - 2] as number;
  const D = q.shape[q.ndim - 1] as number;
  const S = k.shape[k.ndim - 2] as number;
  const Dv = v.shape[v.ndim - 1] as number;
  if (k.shape[k.ndim - 1] !== D) throw new ShapeError(`${op}: q ${formatShape(q.shape)} and k ${formatShape(k.shape)} differ in head dim`);
  if (v.shape[v.ndim - 2] !== S) throw new ShapeError(`${op}: k ${formatShape(k.shape)} and v ${formatShape(v.shape)} differ in length`);
  let lead = broadcastShapes(q.shape.slice(0, -2), k.shape.slice(0, -2), op);
  lead = broadcastShapes(lead, v.shape.slice(0, -2), op);
  const mask = options.mask ?? null;
  if (mask) {
    if (mask.dtype !== "bool" && mask.dtype !== q.dtype) throw new DTypeError(`${op}: mask must be bool or ${q.dtype}, got ${mask.dtype}`);
    const full = broadcastShapes([...lead, T, S], mask.shape, op);
    if (full.length !== lead.length + 2 || full[full.length - 2] !== T || full[full.length - 1] !== S) {
      throw new ShapeError(`${op}: mask ${formatShape(mask.shape)} does not broadcast to ${formatShape([...lead, T, S])}`);
    }
    lead = full.slice(0, -2);
  }
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new ValueError(`${op}: dropout must be in [0, 1), got ${dropout}`);
  const causalOffset = options.causalOffset ?? 0;
  if (!Number.isInteger(causalOffset)) throw new ValueError(`${op}: causalOffset must be an integer, got ${causalOffset}`);
  const scale = options.scale ?? 1 / Math.sqrt(D);
  let seed: [number, number] = [0, 0];
  if (dropout > 0) {
    const gen = options.generator ?? defaultGenerator;
    seed = [gen.nextUint32(), gen.nextUint32()];
  }
  const N = numel(lead);
  let alibi: AttentionSizes["alibi"] = null;
  if (options.alibiSlopes) {
    const slopes = options.alibiSlopes;
    const heads = lead[lead.length - 1];
    if (heads !== slopes.length) {
      throw new ShapeError(`${op}: ${slopes.length} ALiBi slopes for leading dims ${formatShape(lead)} (one per head, the last leading dim)`);
    }
    const perBlock = new Float64Array(N);
    for (let n = 0; n < N; n++) perBlock[n] = slopes[n % heads] as number;
    alibi = { slopes: perBlock, offset: options.alibiOffset ?? S - T };
  }
  const sizes: AttentionSizes = {
    n: N, t: T, s: S, d: D, dv: Dv, scale, dropout, seed, alibi,
    causalOffset: options.isCausal ? causalOffset : null,
  };
  // q, k, v as the kernels read them: half ones widened into scratch, again for the backward.
  const operands = (scratch: Scratch): [AttentionOperand, AttentionOperand, AttentionOperand] => {
    if (!half) return [operand(q, lead), operand(k, lead), operand(v, lead)];
    const views = new Map<Storage, Float32Array>();
    return [operand(widenedView(q, scratch, views), lead), operand(widenedView(k, scratch, views), lead), operand(widenedView(v, scratch, views), lead)];
  };
  const mo = mask ? maskOperand(mask, lead, T, S) : null;
  const be = getBackend();
  // Half operands read in place by the backend's half kernels, where it has them for this case.
  const halfOperands = half && be.attentionForwardHalf && be.attentionBackwardHalf && !options.returnWeights
    ? [halfOperand(q, lead), halfOperand(k, lead), halfOperand(v, lead)] as const
    : null;
  // The output (and each gradient) takes its input's memory order when that is a permuted view.
  const outStrides = stridesLike(q, lead, T, Dv);
  const dqStrides = stridesLike(q, lead, T, D);
  const dkStrides = stridesLike(k, lead, S, D);
  const dvStrides = stridesLike(v, lead, S, Dv);
  const layouts: AttentionLayouts = {};
  if (outStrides) layouts.out = rowLayout(lead, outStrides, 0);
  if (dqStrides) layouts.dq = rowLayout(lead, dqStrides, 0);
  if (dkStrides) layouts.dk = rowLayout(lead, dkStrides, 0);
  if (dvStrides) layouts.dv = rowLayout(lead, dvStrides, 0);
  // Packed: each gradient's rows go where its operand's rows are in the packed tensor.
  const packedLayouts: AttentionLayouts | null = packed
    ? { dq: rowLayout(lead, q.strides, q.offset - packed.offset), dk: rowLayout(lead, k.strides, k.offset - packed.offset), dv: rowLayout(lead, v.strides, v.offset - packed.offset) }
    : null;
  // dq, dk, dv (null where not needed) from `make`, and the packed gradient they all are when packed.
  const gradientBuffers = <A>(make: (size: number) => A): [A | null, A | null, A | null, A | null] => {
    if (packed) {
      const all = packed.requiresGrad ? make(numel(packed.shape)) : null;
      return [all, all, all, all];
    }
    return [q.requiresGrad ? make(N * T * D) : null, k.requiresGrad ? make(N * S * D) : null, v.requiresGrad ? make(N * S * Dv) : null, null];
  };
  const out = allocateUninitialized(compute, N * T * Dv) as FloatArray; // every row is written
  const lse = new Float64Array(N * T);
  const weights = options.returnWeights ? (allocate(compute, N * T * S) as FloatArray) : null;
  const outLayouts = { ...(layouts.out ? { out: layouts.out } : {}) };
  let outHalf: Storage | null = halfOperands ? allocateUninitialized(q.dtype, N * T * Dv) : null;
  if (halfOperands && outHalf && be.attentionForwardHalf) {
    const [qh, kh, vh] = halfOperands;
    if (!be.attentionForwardHalf(q.dtype as HalfDType, out as Float32Array, outHalf as Uint16Array, lse, qh, kh, vh, mo, sizes, outLayouts)) outHalf = null;
  }
  // The float32 operands (half ones widened), for the float32 kernels: unless the half kernels ran.
  const forwardScratch = new Scratch();
  const floatOperands = outHalf ? null : operands(forwardScratch);
  if (floatOperands) be.attentionForward(out, lse, weights, ...floatOperands, mo, sizes, outLayouts);
  forwardScratch.release();

  const inputs = packed ? [packed] : [q, k, v];
  const maskNeedsGrad = mask !== null && mask.dtype !== "bool" && mask.requiresGrad;
  if (maskNeedsGrad) inputs.push(mask);
  const outShape = [...lead, T, Dv];
  // A half result rounds the whole float32 buffer: the layout covers it all.
  const stored = outHalf ?? (half ? convertStorage(out, "float32", q.dtype) : out);
  const output = record(new Tensor(stored, outShape, outStrides ?? undefined), op, inputs, (grad) => {
    if (outHalf && halfOperands && be.attentionBackwardHalf && grad.dtype === q.dtype) {
      // The half kernels' backward: dOut read in place (rows contiguous) or from a contiguous copy.
      const g = Dv === 1 || grad.strides[grad.ndim - 1] === 1 ? grad : noGrad(() => contiguous(grad));
      const halfLayouts: AttentionLayouts = { ...layouts, ...packedLayouts, dOut: rowLayout(lead, g.strides, g.offset) };
      // Every row of each gradient is written (their layouts cover the whole buffer).
      const [dq, dk, dv, packedGrad] = gradientBuffers((size: number): Storage => allocateUninitialized(q.dtype, size));
      const [qh, kh, vh] = halfOperands;
      const dOut = g.storage as Uint16Array;
      const bits = (d: Storage | null): Uint16Array | null => d as Uint16Array | null;
      if (be.attentionBackwardHalf(q.dtype as HalfDType, bits(dq), bits(dk), bits(dv), dOut, out as Float32Array, lse, qh, kh, vh, mo, sizes, halfLayouts)) {
        if (packed) return [packedGrad ? new Tensor(packedGrad, packed.shape) : null];
        const gradient = (d: Storage | null, shape: readonly number[], strides: number[] | null, target: readonly number[]): Tensor | null =>
          d ? sumToShape(new Tensor(d, shape, strides ?? undefined), target) : null;
        return [
          gradient(dq, [...lead, T, D], dqStrides, q.shape),
          gradient(dk, [...lead, S, D], dkStrides, k.shape),
          gradient(dv, [...lead, S, Dv], dvStrides, v.shape),
        ];
      }
    }
    const backwardScratch = new Scratch();
    // A float32 op's operands are its tensors' own storage; half ones were widened into released scratch.
    const [qb, kb, vb] = half || floatOperands === null ? operands(backwardScratch) : floatOperands;
    const g = half ? widenedView(grad, backwardScratch, new Map()) : grad;
    // The incoming gradient is read in place through its strides (a transposed view included) when
    // its rows are contiguous; otherwise it is copied once.
    const inPlace = g.dtype === compute && (Dv === 1 || g.strides[g.ndim - 1] === 1);
    const dOut = (inPlace ? g.storage : noGrad(() => (g.dtype === compute ? g : to(g, compute)).toTypedArray())) as FloatArray;
    const gradLayouts: AttentionLayouts = { ...layouts, ...packedLayouts };
    if (inPlace) gradLayouts.dOut = rowLayout(lead, g.strides, g.offset);
    // Every row of each gradient is written (their layouts cover the whole buffer).
    // float32 gradients of a half op go to scratch, rounded into fresh half storage below.
    const [dq, dk, dv, packedGrad] = gradientBuffers(
      (size: number): FloatArray => (half ? backwardScratch.take(size) : (allocateUninitialized(compute, size) as FloatArray)),
    );
    const dm = maskNeedsGrad ? (allocate(compute, N * T * S) as FloatArray) : null;
    getBackend().attentionBackward(dq, dk, dv, dm, dOut, out, lse, qb, kb, vb, mo, sizes, gradLayouts);
    const gradient = (d: FloatArray | null, shape: readonly number[], strides: number[] | null, target: readonly number[]): Tensor | null =>
      d ? sumToShape(new Tensor(half ? convertStorage(d, "float32", q.dtype) : d, shape, strides ?? undefined), target) : null;
    const grads = packed ? [packedGrad ? new Tensor(half ? convertStorage(packedGrad, "float32", q.dtype) : packedGrad, packed.shape) : null] : [
      gradient(dq, [...lead, T, D], dqStrides, q.shape),
      gradient(dk, [...lead, S, D], dkStrides, k.shape),
      gradient(dv, [...lead, S, Dv], dvStrides, v.shape),
    ];
    if (mask && maskNeedsGrad) grads.push(gradient(dm, [...lead, T, S], null, mask.shape));
    backwardScratch.release(); // the half gradients above are rounded copies: the float32 ones are done with
    return grads;
  });
  if (weights) return { output, weights: new Tensor(weights, [...lead, T, S]) };
  return output;
}
