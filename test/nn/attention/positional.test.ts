/**
 * Position encodings: sinusoidal table (Vaswani §3.5), learned embedding, RoPE (rotate-half) and ALiBi
 * slopes/bias. Values are checked against the formulas computed independently here; PyTorch fixtures
 * are in test/nn/transformer/torch-reference.test.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, nn, ops, randn } from "../../../src/index.js";
import { check, flat, leaf, randn64 } from "../../ops/helpers.js";

describe("sinusoidal position encoding", () => {
  test("table values: sin on even columns, cos on odd ones, shared frequency per pair", () => {
    const t = nn.sinusoidalTable(5, 6);
    assert.deepEqual(t.shape, [5, 6]);
    const v = flat(t);
    for (let pos = 0; pos < 5; pos++) {
      for (let i = 0; i < 3; i++) {
        const w = 1 / Math.pow(10000, (2 * i) / 6);
        assert.ok(Math.abs((v[pos * 6 + 2 * i] as number) - Math.sin(pos * w)) < 1e-14);
        assert.ok(Math.abs((v[pos * 6 + 2 * i + 1] as number) - Math.cos(pos * w)) < 1e-14);
      }
    }
    // An offset table is the tail of a longer one (cached decoding).
    assert.deepEqual(flat(nn.sinusoidalTable(2, 6, 3)), v.slice(18, 30));
  });

  test("module adds the table rows at an offset, keeps dtype and shape", () => {
    const pe = new nn.SinusoidalPositionalEncoding(4);
    const x = randn([2, 3, 4]);
    const y = pe.forward(x, 2);
    assert.equal(y.dtype, "float32");
    const expected = ops.add(x, ops.to(ops.narrow(nn.sinusoidalTable(6, 4), 0, 2, 3), "float32"));
    assert.deepEqual(flat(y), flat(expected));
    assert.equal(pe.parameters().length, 0);
    assert.throws(() => pe.forward(randn([2, 3, 5])), /dModel/);
  });
});

describe("LearnedPositionalEmbedding", () => {
  test("adds weight rows offset..offset+T−1 and gets their gradient only", () => {
    const wpe = new nn.LearnedPositionalEmbedding(8, 3, { dtype: "float64" });
    assert.deepEqual(wpe.weight.shape, [8, 3]);
    const x = randn64([2, 4, 3], 3);
    const y = wpe.forward(x, 2);
    assert.deepEqual(flat(y), flat(ops.add(x, ops.narrow(wpe.weight, 0, 2, 4))));
    ops.sum(y).backward();
    const g = flat(wpe.weight.grad as Tensor);
    for (let r = 0; r < 8; r++) for (let c = 0; c < 3; c++) assert.equal(g[r * 3 + c], r >= 2 && r < 6 ? 2 : 0);
    assert.throws(() => wpe.forward(x, 5), /maxPositions/);
  });
});

describe("RoPE (rotate-half convention)", () => {
  test("pairs feature c with c + R/2 and rotates by pos · base^(−2c/R)", () => {
    const rope = new nn.RotaryEmbedding(4);
    const q = randn64([1, 1, 3, 4], 5);
    const [qr] = rope.forward(q, q, 7);
    const a = flat(q);
    const b = flat(qr);
    for (let t = 0; t < 3; t++) {
      for (let c = 0; c < 2; c++) {
        const theta = (7 + t) * Math.pow(10000, -(2 * c) / 4);
        const [x1, x2] = [a[t * 4 + c] as number, a[t * 4 + c + 2] as number];
        assert.ok(Math.abs((b[t * 4 + c] as number) - (x1 * Math.cos(theta) - x2 * Math.sin(theta))) < 1e-12);
        assert.ok(Math.abs((b[t * 4 + c + 2] as number) - (x2 * Math.cos(theta) + x1 * Math.sin(theta))) < 1e-12);
      }
    }
  });

  test("q·k after RoPE depends only on the relative position", () => {
    const rope = new nn.RotaryEmbedding(6);
    const q = randn64([1, 1, 1, 6], 6);
    const k = randn64([1, 1, 1, 6], 7);
    const score = (pq: number, pk: number): number => {
      const [qr] = rope.forward(q, q, pq);
      const [, kr] = rope.forward(k, k, pk);
      return ops.sum(ops.mul(qr, kr)).item();
    };
    assert.ok(Math.abs(score(3, 1) - score(10, 8)) < 1e-12);
    assert.ok(Math.abs(score(3, 1) - score(3, 2)) > 1e-6);
  });

  test("partial rotation (rotaryDim < D) passes the other features through; norms are preserved", () => {
    const rope = new nn.RotaryEmbedding(4);
    const x = randn64([2, 2, 3, 6], 8);
    const [y] = rope.forward(x, x, 1);
    const a = flat(x);
    const b = flat(y);
    for (let r = 0; r < 12; r++) {
      assert.equal(b[r * 6 + 4], a[r * 6 + 4]);
      assert.equal(b[r * 6 + 5], a[r * 6 + 5]);
      const n = (v: number[]): number => v.slice(r * 6, r * 6 + 4).reduce((s, z) => s + z * z, 0);
      assert.ok(Math.abs(n(a) - n(b)) < 1e-12);
    }
  });

  test("gradcheck (float64), full and partial rotation", () => {
    const rope = new nn.RotaryEmbedding(4);
    check((q, k) => rope.forward(q, k, 2), [leaf([2, 2, 3, 4], 9), leaf([2, 2, 5, 4], 10)]);
    check((q, k) => rope.forward(q, k, 0), [leaf([2, 1, 3, 6], 11), leaf([2, 1, 3, 6], 12)]);
  });

  test("rejects odd rotary dims", () => {
    assert.throws(() => new nn.RotaryEmbedding(3), /even/);
  });
});

describe("ALiBi", () => {
  test("slopes: geometric 2^(−8i/n) for powers of two; interleaved for other head counts", () => {
    assert.deepEqual(nn.alibiSlopes(8), [1, 2, 3, 4, 5, 6, 7, 8].map((i) => Math.pow(2, -i)));
    const s4 = [1, 2, 3, 4].map((i) => Math.pow(2, -2 * i));
    assert.deepEqual(nn.alibiSlopes(4), s4);
    // 6 heads: the 4-head slopes, then slopes 1 and 3 (0-based 0 and 2) of the 8-head sequence.
    assert.deepEqual(nn.alibiSlopes(6), [...s4, Math.pow(2, -1), Math.pow(2, -3)]);
    assert.equal(nn.alibiSlopes(12).length, 12);
    assert.throws(() => nn.alibiSlopes(0), /positive/);
  });

  test("bias is −m·distance with queries aligned to the last T keys", () => {
    const b = nn.alibiBias(2, 2, 4, { dtype: "float64" });
    assert.deepEqual(b.shape, [2, 2, 4]);
    const m = nn.alibiSlopes(2);
    const v = flat(b);
    for (let h = 0; h < 2; h++) for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) {
      assert.equal(v[(h * 2 + i) * 4 + j], -(m[h] as number) * Math.abs(i + 2 - j));
    }
  });

  test("attention with the ALiBi bias is differentiable (gradcheck through sdpa with an additive mask)", () => {
    const bias = nn.alibiBias(2, 3, 3, { dtype: "float64" });
    check((q, k, v) => nn.functional.scaledDotProductAttention(q, k, v, { mask: bias, isCausal: true }), [
      leaf([2, 2, 3, 3], 13), leaf([2, 2, 3, 3], 14), leaf([2, 2, 3, 3], 15),
    ]);
  });
});
