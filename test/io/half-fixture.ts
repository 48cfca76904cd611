/**
 * The PyTorch conversion fixture (test/fixtures/half/torch.bin.gz, made by scripts/fixtures/half.py) and
 * the input formulas the script used, shared by the io/half tests and the half-dtype tensor tests.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export const N_PATTERNS = 65536;
export const N_DENSE = 1 << 20;
const LOWS = [0x0000, 0x0001, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff];

/** The fixture's sections, undoing the delta coding (entry k = out[k] − out[k−1] modulo the width). */
export function readFixture(): { halfToF32: Uint32Array; bf16ToF32: Uint32Array; midToHalf: Uint16Array; denseToHalf: Uint16Array; denseToBf16: Uint16Array } {
  const raw = gunzipSync(readFileSync(new URL("../fixtures/half/torch.bin.gz", import.meta.url)));
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let at = 0;
  const section32 = (n: number): Uint32Array => {
    const out = new Uint32Array(n);
    let prev = 0;
    for (let k = 0; k < n; k++, at += 4) out[k] = prev = (prev + view.getUint32(at, true)) >>> 0;
    return out;
  };
  const section16 = (n: number): Uint16Array => {
    const out = new Uint16Array(n);
    let prev = 0;
    for (let k = 0; k < n; k++, at += 2) out[k] = prev = (prev + view.getUint16(at, true)) & 0xffff;
    return out;
  };
  const fixture = {
    halfToF32: section32(N_PATTERNS), bf16ToF32: section32(N_PATTERNS), midToHalf: section16(4 * N_PATTERNS),
    denseToHalf: section16(N_DENSE), denseToBf16: section16(N_DENSE),
  };
  assert.equal(at, raw.byteLength, "fixture size");
  return fixture;
}

export const fixture = readFixture();

export function asFloat(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

export function asBits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0]!;
}

/** The script's section 3 inputs, made from torch's own float16 values. */
export function midpointInputs(): Uint32Array {
  const inputs = new Uint32Array(4 * N_PATTERNS);
  for (let h = 0; h < N_PATTERNS; h++) {
    const magnitude = h & 0x7fff;
    const fhBits = fixture.halfToF32[h]!;
    let midBits = fhBits;
    if (magnitude < 0x7c00) {
      const mid = magnitude === 0x7bff ? 65520 * (h & 0x8000 ? -1 : 1) : (asFloat(fhBits) + asFloat(fixture.halfToF32[h + 1]!)) / 2;
      midBits = asBits(mid);
    }
    inputs.set([fhBits, (midBits - 1) >>> 0, midBits, (midBits + 1) >>> 0], 4 * h);
  }
  return inputs;
}

/** The script's 2²⁰ dense float32 patterns. */
export function denseInputs(): Uint32Array {
  const inputs = new Uint32Array(N_DENSE);
  for (let i = 0; i < N_DENSE; i++) {
    const low = (i & 15) < 8 ? LOWS[i & 7]! : ((Math.imul(i, 0x9e3779b1) >>> 7) & 0xffff);
    inputs[i] = (((i >>> 4) << 16) | low) >>> 0;
  }
  return inputs;
}

