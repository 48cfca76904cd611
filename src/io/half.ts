/**
 * float32 ↔ float16 (IEEE 754 binary16) and float32 ↔ bfloat16 conversions on `Uint16Array` storage
 * (DESIGN.md decision 2: Node 20 has no `Float16Array`). Bit-exact with PyTorch's CPU tensor
 * conversions (`Tensor.to`), checked for every half pattern and 2²⁰ float32 patterns in
 * test/tensor/half.test.ts:
 *
 * - float32 → float16 and → bfloat16 round to nearest, ties to even, into subnormals and up to ±Inf
 *   (float16 overflows from 65520 = 65504 + half an ulp on; bfloat16 from 2¹²⁸·(1 − 2⁻⁹)).
 * - NaN: float32 → float16 keeps the sign and drops the payload (sign | 0x7E00, as torch's
 *   `fp16_ieee_from_fp32_value`); float32 → bfloat16 gives 0xFFFF for every NaN, as torch's vectorised
 *   copy kernel (`cvtfp32_bf16`) does. (torch's scalar `c10::BFloat16` constructor gives 0x7FC0
 *   instead; the tensor conversion is what users see, so loom follows it.)
 * - float16 → float32 is exact; a NaN keeps its sign and payload (shifted up 13 bits) and gets the
 *   quiet bit set, as the x86 `vcvtph2ps` instruction torch uses. bfloat16 → float32 is a 16-bit shift.
 *
 * It lives in io/ (the bottom layer, below tensors) because safetensors reads and writes these formats;
 * it imports only the error classes, so tensors can use it as well.
 */
import { ShapeError } from "../errors.js";

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** The bits of float32 `bits` rounded to float16 (round to nearest even; NaN → sign | 0x7E00). */
export function f32BitsToF16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | (mantissa !== 0 ? 0x7e00 : 0x7c00);
  // float16 exponent field = float32 exponent − 127 + 15.
  const halfExponent = exponent - 112;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // A float16 subnormal counts units of 2⁻²⁴: value / 2⁻²⁴ = (1.m · 2²³) · 2^(exponent − 126), so
    // shift the 24-bit significand right by 126 − exponent and round what falls off. Below 2⁻²⁵
    // everything rounds to zero (2⁻²⁵ itself is a tie that goes to the even 0).
    if (exponent < 102) return sign;
    const significand = mantissa | 0x800000;
    const shift = 126 - exponent; // 14 … 24
    let half = significand >>> shift;
    const rest = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) !== 0)) half++; // may carry into the smallest normal: correct
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) !== 0)) half++; // a carry out of 0x7BFF gives 0x7C00 = Inf: correct
  return sign | half;
}

/** The float32 bits of float16 `half` (exact; a NaN keeps sign and payload and is made quiet). */
export function f16BitsToF32Bits(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa !== 0 ? 0x400000 | (mantissa << 13) : 0)) >>> 0;
  if (exponent === 0) {
    if (mantissa === 0) return sign >>> 0;
    // Subnormal m · 2⁻²⁴: normalise so the leading one becomes the implicit bit.
    let m = mantissa;
    let e = 113; // float32 exponent field of 2⁻¹⁴, lowered once per shift
    do {
      m <<= 1;
      e--;
    } while ((m & 0x400) === 0);
    return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
  }
  return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
}

/** The bits of float32 `bits` rounded to bfloat16 (round to nearest even; every NaN → 0xFFFF, as torch). */
export function f32BitsToBf16Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return 0xffff;
  // Adding 0x7FFF plus the lowest kept bit rounds to nearest even in one carry (overflow becomes Inf).
  return Math.floor(((bits >>> 0) + 0x7fff + ((bits >>> 16) & 1)) / 65536) & 0xffff;
}

/** The float32 bits of bfloat16 `bf16`: its 16 bits become the top half (exact, NaN payloads kept). */
export function bf16BitsToF32Bits(bf16: number): number {
  return (bf16 << 16) >>> 0;
}

/** The float16 bits nearest `x`, which is first rounded to float32 (as storing it in a float32 tensor would). */
export function toFloat16Bits(x: number): number {
  f32Scratch[0] = x;
  return f32BitsToF16Bits(u32Scratch[0]!);
}

/** The value of float16 bits `half` as a number (exact; any NaN is JavaScript's one NaN). */
export function fromFloat16Bits(half: number): number {
  u32Scratch[0] = f16BitsToF32Bits(half);
  return f32Scratch[0]!;
}

/** The bfloat16 bits nearest `x`, which is first rounded to float32. */
export function toBFloat16Bits(x: number): number {
  f32Scratch[0] = x;
  return f32BitsToBf16Bits(u32Scratch[0]!);
}

/** The value of bfloat16 bits `bf16` as a number (exact). */
export function fromBFloat16Bits(bf16: number): number {
  u32Scratch[0] = bf16BitsToF32Bits(bf16);
  return f32Scratch[0]!;
}

function checkLengths(op: string, from: number, to: number): void {
  if (from !== to) throw new ShapeError(`${op}: the output holds ${to} elements, the input ${from}`);
}

/**
 * Rounds every element of `src` to float16 bits, into `out` (allocated when not given, else of the same
 * length). Works on bit patterns, so NaNs come out exactly as in PyTorch.
 */
export function float32ToFloat16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  checkLengths("float32ToFloat16", src.length, out.length);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToF16Bits(bits[i]!);
  return out;
}

/** Widens float16 bits to float32 (exact), into `out` (allocated when not given). */
export function float16ToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  checkLengths("float16ToFloat32", src.length, out.length);
  // Write bit patterns, not numbers: storing a NaN number could canonicalise its payload.
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = f16BitsToF32Bits(src[i]!);
  return out;
}

/** Rounds every element of `src` to bfloat16 bits, into `out` (allocated when not given). */
export function float32ToBFloat16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  checkLengths("float32ToBFloat16", src.length, out.length);
  // Signed 32-bit views keep the loop in small-integer arithmetic. For every non-NaN pattern the sum
  // below stays under 2³² as an unsigned value, so `>>> 16` (which reads it modulo 2³²) is exact.
  const bits = new Int32Array(src.buffer, src.byteOffset, src.length);
  const n = bits.length;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    out[i] = (b & 0x7fffffff) > 0x7f800000 ? 0xffff : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** Widens bfloat16 bits to float32 (exact), into `out` (allocated when not given). */
export function bfloat16ToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  checkLengths("bfloat16ToFloat32", src.length, out.length);
  const bits = new Int32Array(out.buffer, out.byteOffset, out.length);
  const n = src.length;
  for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
  return out;
}
