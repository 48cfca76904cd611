/**
 * T5 parity with an independent PyTorch T5 (scripts/fixtures/t5.py, float64 on the saved float32
 * weights): for relu / gated-gelu, tied / untied configs with padding in the encoder (row 1) and in the
 * labels (−100, so the shifted decoder inputs carry pad ids; the untied configs also mask those decoder
 * keys with decoderAttentionMask), loom's folder load gives the same logits,
 * loss and gradient of the loss for EVERY parameter. Tolerance: |Δ| ≤ 1e-4 · max(1, |expected|)
 * (loom computes in float32; the reference's rounding is far below).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tensor, type Tensor } from "../../../src/index.js";
import { fromPretrained } from "../../../src/models/index.js";
import { T5ForConditionalGeneration } from "../../../src/models/t5/index.js";

const FIXTURES = new URL("../../fixtures/t5/", import.meta.url).pathname;
const TOLERANCE = 1e-4;
const CONFIGS = ["relu-tied", "relu-untied", "gated-gelu-tied", "gated-gelu-untied"];

interface Expected {
  input_ids: number[][];
  attention_mask: number[][];
  labels: number[][];
  decoder_attention_mask: number[][] | null;
  logits: number[][][];
  loss: number;
  grads: Record<string, number[]>;
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const diff = Math.abs((actual[i] as number) - e) / Math.max(1, Math.abs(e));
    if (diff > worst) [worst, worstAt] = [diff, i];
  }
  assert.ok(worst <= TOLERANCE, `${what}: worst relative difference ${worst.toExponential(2)} at ${worstAt} (expected ${expected[worstAt]}, got ${actual[worstAt]})`);
}

for (const name of CONFIGS) {
  test(`T5 ${name}: logits, loss and every parameter's gradient match the PyTorch reference`, () => {
    const dir = join(FIXTURES, name);
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Expected;
    const { model } = fromPretrained(dir);
    assert.ok(model instanceof T5ForConditionalGeneration);
    const t5 = model;
    t5.train(false); // dropout_rate is 0 anyway; eval makes the comparison independent of it
    const out = t5.forward(tensor(expected.input_ids, { dtype: "int32" }), {
      attentionMask: tensor(expected.attention_mask, { dtype: "int32" }),
      labels: tensor(expected.labels, { dtype: "int32" }),
      ...(expected.decoder_attention_mask ? { decoderAttentionMask: tensor(expected.decoder_attention_mask, { dtype: "int32" }) } : {}),
    });
    assertClose(out.logits.toTypedArray() as Float32Array, expected.logits.flat(2), "logits");
    const loss = out.loss as Tensor;
    assert.ok(Math.abs(loss.item() - expected.loss) <= TOLERANCE, `loss ${loss.item()} vs ${expected.loss}`);
    loss.backward();
    const params = [...t5.namedParameters()];
    assert.deepEqual(params.map(([n]) => n).sort(), Object.keys(expected.grads).sort(), "parameter names");
    for (const [pname, p] of params) {
      assert.ok(p.grad !== null, `${pname}: no gradient`);
      assertClose((p.grad as Tensor).toTypedArray() as Float32Array, expected.grads[pname] as number[], `grad ${pname}`);
    }
  });
}
