/**
 * softmax, logSoftmax and logsumexp against PyTorch 1.13 (test/fixtures/ops/torch.json, made by
 * scripts/fixtures/ops.py): forward values and the gradient of ⟨y, g⟩ for a fixed upstream g, to 1e-5
 * relative in float32 and 1e-10 in float64 (see `close` for the floor near zero).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, tensor, type FloatDType } from "../../src/index.js";

interface Case {
  op: "softmax" | "logSoftmax" | "logsumexp";
  dim: number | number[];
  keepdim?: boolean;
  dtype: FloatDType;
  shape: number[];
  outShape: number[];
  x: number[];
  g: number[];
  y: number[];
  dx: number[];
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/ops/torch.json", import.meta.url), "utf8")) as { torch: string; cases: Case[] };

const maxAbs = (xs: number[]): number => Math.max(0, ...xs.map(Math.abs).filter(Number.isFinite));

/**
 * |a − e| ≤ rel·|e| + rel·scale: relative to each value, with an absolute floor at rel times `scale`,
 * the magnitude of the terms the value is computed from. Gradients like y·(g − Σgy) cancel, and their
 * near-zero entries hold only the dtype's rounding of terms of size |g|: torch and loom round
 * differently there (loom's reference kernels accumulate in float64, its WebAssembly kernels in
 * float32 as torch does; in float32 torch is sometimes the least accurate of the three).
 */
function close(actual: ArrayLike<number>, expected: number[], rel: number, scale: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (!Number.isFinite(e)) {
      assert.equal(a, e, `${what}[${i}]`);
      continue;
    }
    assert.ok(Math.abs(a - e) <= rel * Math.abs(e) + rel * scale, `${what}[${i}]: ${a} vs torch ${e}`);
  }
}

function run(c: Case, x: Tensor): Tensor {
  switch (c.op) {
    case "softmax":
      return x.softmax(c.dim as number);
    case "logSoftmax":
      return x.logSoftmax(c.dim as number);
    case "logsumexp":
      return x.logsumexp(c.dim, c.keepdim ?? false);
  }
}

test("fixture was made by PyTorch and has cases for every op and dtype", () => {
  assert.match(fixture.torch, /^1\./);
  for (const op of ["softmax", "logSoftmax", "logsumexp"]) {
    for (const dtype of ["float32", "float64"]) assert.ok(fixture.cases.some((c) => c.op === op && c.dtype === dtype), `${op} ${dtype}`);
  }
});

for (const [i, c] of fixture.cases.entries()) {
  const label = `${c.op} ${c.dtype} shape [${c.shape.join(",")}] dim ${JSON.stringify(c.dim)}${c.keepdim ? " keepdim" : ""} (#${i})`;
  test(label, () => {
    const rel = c.dtype === "float32" ? 1e-5 : 1e-10;
    const x = new Tensor(tensor(c.x, { dtype: c.dtype }).storage, c.shape).requiresGrad_();
    const y = run(c, x);
    assert.deepEqual(y.shape, c.outShape);
    assert.equal(y.dtype, c.dtype);
    close(y.toTypedArray(), c.y, rel, maxAbs(c.y), "y");
    y.backward(new Tensor(tensor(c.g, { dtype: c.dtype }).storage, c.outShape));
    assert.ok(x.grad !== null);
    close(x.grad.toTypedArray(), c.dx, rel, Math.max(maxAbs(c.dx), maxAbs(c.g)), "dx");
  });
}
