/** maskedMeanPool and cosineSimilarity: values against direct sums, gradchecks, an all-padding row, shape errors. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, ShapeError, autograd, nn, randn, tensor } from "../../../src/index.js";

const { maskedMeanPool, cosineSimilarity } = nn.functional;

describe("nn.functional pooling", () => {
  const g = new Generator(7);
  const r = (shape: number[]) => randn(shape, { dtype: "float64", generator: g }).requiresGrad_();

  test("maskedMeanPool averages the real tokens only; an all-padding row is zero", () => {
    const h = r([3, 4, 2]);
    const mask = tensor([[1, 1, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0]], { dtype: "int32" });
    const pooled = maskedMeanPool(h, mask).toTypedArray();
    const x = h.toTypedArray();
    const at = (b: number, t: number, c: number): number => x[(b * 4 + t) * 2 + c] as number;
    for (let c = 0; c < 2; c++) {
      assert.ok(Math.abs((pooled[c] as number) - (at(0, 0, c) + at(0, 1, c)) / 2) < 1e-15);
      assert.ok(Math.abs((pooled[2 + c] as number) - (at(1, 0, c) + at(1, 1, c) + at(1, 2, c) + at(1, 3, c)) / 4) < 1e-15);
      assert.equal(pooled[4 + c], 0);
    }
    assert.ok(autograd.gradcheck((h) => maskedMeanPool(h, mask), [h]));
    assert.throws(() => maskedMeanPool(h, tensor([[1, 1]], { dtype: "int32" })), ShapeError);
  });

  test("cosineSimilarity: a·b/(‖a‖‖b‖), 1 for parallel vectors, −1 for opposite, 0 for orthogonal; gradcheck", () => {
    const a = tensor([[1, 2, 2], [3, 0, 0], [0, 1, 0]], { dtype: "float64" });
    const b = tensor([[2, 4, 4], [-1, 0, 0], [0, 0, 5]], { dtype: "float64" });
    const s = cosineSimilarity(a, b).toTypedArray();
    assert.deepEqual([...s].map((v) => Math.round((v as number) * 1e12) / 1e12), [1, -1, 0]);
    const u = r([2, 5]);
    const v = r([2, 5]);
    const direct = cosineSimilarity(u, v).toTypedArray();
    const x = u.toTypedArray();
    const y = v.toTypedArray();
    for (let i = 0; i < 2; i++) {
      let dot = 0, nx = 0, ny = 0;
      for (let j = 0; j < 5; j++) {
        const p = x[i * 5 + j] as number, q = y[i * 5 + j] as number;
        dot += p * q; nx += p * p; ny += q * q;
      }
      assert.ok(Math.abs((direct[i] as number) - dot / Math.sqrt(nx * ny)) < 1e-14);
    }
    assert.ok(autograd.gradcheck((u, v) => cosineSimilarity(u, v), [u, v]));
  });
});
