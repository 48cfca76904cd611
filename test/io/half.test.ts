/**
 * float16 / bfloat16 conversions bit-exact against PyTorch 1.13's CPU `Tensor.to`: every one of the
 * 65,536 half and bfloat16 patterns widened to float32, 262,144 float32 → float16 cases at and beside
 * every tie between neighbouring halves (the round trip included), and 2²⁰ densely sampled float32
 * patterns (every sign, exponent and top-7 mantissa bits; ties, subnormals, near-overflow, NaNs)
 * rounded to float16 and to bfloat16. Fixture: test/fixtures/half/torch.bin.gz, made by
 * scripts/fixtures/half.py (the input formulas below repeat the script's).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bf16BitsToF32Bits, bfloat16ToFloat32, f16BitsToF32Bits, f32BitsToBf16Bits, f32BitsToF16Bits, float16ToFloat32,
  float32ToBFloat16, float32ToFloat16, fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits,
} from "../../src/io/half.js";
import { ShapeError } from "../../src/errors.js";
import { N_DENSE, N_PATTERNS, denseInputs, fixture, midpointInputs } from "./half-fixture.js";

/** Fails with the first few differing indices in hex, so a mismatch is readable. */
function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, inputs: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length);
  const bad: string[] = [];
  let count = 0;
  for (let k = 0; k < expected.length; k++) {
    if (actual[k] !== expected[k]) {
      count++;
      if (bad.length < 5) bad.push(`input 0x${inputs[k]!.toString(16)}: loom 0x${actual[k]!.toString(16)}, torch 0x${expected[k]!.toString(16)}`);
    }
  }
  assert.equal(count, 0, `${what}: ${count} of ${expected.length} differ, e.g. ${bad.join("; ")}`);
}

const patterns = Uint16Array.from({ length: N_PATTERNS }, (_, h) => h);

test("float16 → float32: all 65,536 patterns match torch bit for bit (scalar and array)", () => {
  const scalar = Uint32Array.from(patterns, (h) => f16BitsToF32Bits(h));
  assertSameBits(scalar, fixture.halfToF32, patterns, "f16BitsToF32Bits");
  const array = new Uint32Array(float16ToFloat32(patterns).buffer);
  assertSameBits(array, fixture.halfToF32, patterns, "float16ToFloat32");
});

test("bfloat16 → float32: all 65,536 patterns match torch bit for bit", () => {
  assertSameBits(Uint32Array.from(patterns, (h) => bf16BitsToF32Bits(h)), fixture.bf16ToF32, patterns, "bf16BitsToF32Bits");
  assertSameBits(new Uint32Array(bfloat16ToFloat32(patterns).buffer), fixture.bf16ToF32, patterns, "bfloat16ToFloat32");
});

test("float32 → float16 at and beside every tie between neighbouring halves, and the round trip, match torch", () => {
  const inputs = midpointInputs();
  const scalar = Uint16Array.from(inputs, (b) => f32BitsToF16Bits(b));
  assertSameBits(scalar, fixture.midToHalf, inputs, "f32BitsToF16Bits (ties)");
  assertSameBits(float32ToFloat16(new Float32Array(inputs.buffer)), fixture.midToHalf, inputs, "float32ToFloat16 (ties)");
  // The round trip half → float → half is the identity except NaNs, which torch canonicalises.
  for (let h = 0; h < N_PATTERNS; h++) {
    const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    assert.equal(fixture.midToHalf[4 * h], isNaN ? (h & 0x8000) | 0x7e00 : h);
  }
});

test("float32 → float16 and → bfloat16 for 2^20 dense float32 patterns match torch", () => {
  const inputs = denseInputs();
  const floats = new Float32Array(inputs.buffer);
  assertSameBits(Uint16Array.from(inputs, (b) => f32BitsToF16Bits(b)), fixture.denseToHalf, inputs, "f32BitsToF16Bits (dense)");
  assertSameBits(float32ToFloat16(floats), fixture.denseToHalf, inputs, "float32ToFloat16 (dense)");
  assertSameBits(Uint16Array.from(inputs, (b) => f32BitsToBf16Bits(b)), fixture.denseToBf16, inputs, "f32BitsToBf16Bits (dense)");
  assertSameBits(float32ToBFloat16(floats), fixture.denseToBf16, inputs, "float32ToBFloat16 (dense)");
});

test("the fixture covers what it claims: ties both ways, subnormals, overflow to Inf, NaNs", () => {
  // Guards against a fixture that silently lost its hard cases.
  const inputs = denseInputs();
  let tiesDown = 0, tiesUp = 0, subnormals = 0, overflow = 0, nans = 0;
  for (let i = 0; i < N_DENSE; i++) {
    const b = inputs[i]!;
    const out = fixture.denseToBf16[i]!;
    if ((b & 0xffff) === 0x8000 && (b & 0x7f800000) !== 0x7f800000) {
      if (out === b >>> 16) tiesDown++;
      else tiesUp++;
    }
    if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) subnormals++;
    if ((b & 0x7f800000) !== 0x7f800000 && (out & 0x7fff) === 0x7f80) overflow++;
    if ((b & 0x7fffffff) > 0x7f800000) nans++;
  }
  assert.ok(tiesDown > 1000 && tiesUp > 1000 && subnormals > 1000 && overflow > 0 && nans > 1000, `${tiesDown} ${tiesUp} ${subnormals} ${overflow} ${nans}`);
});

test("number-level helpers: known values, ±0, ±Inf, NaN, subnormals, overflow", () => {
  assert.equal(toFloat16Bits(1), 0x3c00);
  assert.equal(toFloat16Bits(-2), 0xc000);
  assert.equal(toFloat16Bits(65504), 0x7bff);
  assert.equal(toFloat16Bits(65519.99), 0x7bff);
  assert.equal(toFloat16Bits(65520), 0x7c00); // the tie past the largest half rounds to Inf
  assert.equal(toFloat16Bits(-0), 0x8000);
  assert.equal(toFloat16Bits(2 ** -24), 0x0001);
  assert.equal(toFloat16Bits(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal: even is 0
  assert.equal(toFloat16Bits(1.5 * 2 ** -24), 0x0002); // tie between 1 and 2 units: even is 2
  assert.equal(toFloat16Bits(Number.NaN), 0x7e00);
  assert.equal(toFloat16Bits(-Infinity), 0xfc00);
  assert.equal(fromFloat16Bits(0x3555), 0.333251953125);
  assert.equal(fromFloat16Bits(0x0001), 2 ** -24);
  assert.ok(Object.is(fromFloat16Bits(0x8000), -0));
  assert.ok(Number.isNaN(fromFloat16Bits(0x7c01)));
  assert.equal(toBFloat16Bits(1), 0x3f80);
  assert.equal(toBFloat16Bits(1 + 2 ** -8), 0x3f80); // tie, even stays
  assert.equal(toBFloat16Bits(1 + 3 * 2 ** -8), 0x3f82); // tie, odd rounds up
  assert.equal(toBFloat16Bits(3.4028234663852886e38), 0x7f80); // float32 max overflows bfloat16
  assert.equal(toBFloat16Bits(Number.NaN), 0xffff);
  assert.equal(fromBFloat16Bits(0x4049), 3.140625);
});

test("array conversions check the output length and honour subarray offsets", () => {
  assert.throws(() => float32ToFloat16(new Float32Array(3), new Uint16Array(2)), ShapeError);
  assert.throws(() => bfloat16ToFloat32(new Uint16Array(3), new Float32Array(4)), ShapeError);
  const backing = new Float32Array([7, 1, 2, 7]);
  assert.deepEqual([...float32ToBFloat16(backing.subarray(1, 3))], [0x3f80, 0x4000]);
  const out = new Float32Array(4);
  float16ToFloat32(new Uint16Array([0x3c00, 0x4000]), out.subarray(1, 3));
  assert.deepEqual([...out], [0, 1, 2, 0]);
});
