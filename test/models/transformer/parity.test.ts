/**
 * The original Transformer against PyTorch's own torch.nn.Transformer (scripts/fixtures/
 * transformer_original.py: float64 on the saved float32 weights): one shared embedding tied to the
 * output, and separate source/target embeddings with an untied generator; padding in the encoder
 * (row 1) and in the decoder (labels −100, the shifted inputs' pad masked by decoderAttentionMask);
 * label-smoothed loss (ε = 0.1); and the config's other options, pre-norm (norm_first) with GELU.
 * loom's folder load gives the same logits, loss and gradient of the loss for EVERY parameter, by
 * torch's names. Tolerance: |Δ| ≤ 1e-4 · max(1, |expected|) (loom
 * computes in float32).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tensor, type Tensor } from "../../../src/index.js";
import { fromPretrained } from "../../../src/models/index.js";
import { Transformer } from "../../../src/models/transformer/index.js";

const FIXTURES = new URL("../../fixtures/transformer-original/", import.meta.url).pathname;
const TOLERANCE = 1e-4;

interface Expected {
  input_ids: number[][];
  attention_mask: number[][];
  labels: number[][];
  decoder_attention_mask: number[][];
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

for (const name of ["shared-tied", "separate-untied", "prenorm-gelu"]) {
  test(`Transformer ${name}: logits, label-smoothed loss and every parameter's gradient match torch.nn.Transformer`, () => {
    const dir = join(FIXTURES, name);
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Expected;
    const { model } = fromPretrained(dir);
    assert.ok(model instanceof Transformer);
    model.train(false);
    const out = model.forward(tensor(expected.input_ids, { dtype: "int32" }), {
      attentionMask: tensor(expected.attention_mask, { dtype: "int32" }),
      labels: tensor(expected.labels, { dtype: "int32" }),
      decoderAttentionMask: tensor(expected.decoder_attention_mask, { dtype: "int32" }),
    });
    assertClose(out.logits.toTypedArray() as Float32Array, expected.logits.flat(2), "logits");
    const loss = out.loss as Tensor;
    assert.ok(Math.abs(loss.item() - expected.loss) <= TOLERANCE, `loss ${loss.item()} vs ${expected.loss}`);
    loss.backward();
    const params = [...model.namedParameters()];
    assert.deepEqual(params.map(([n]) => n).sort(), Object.keys(expected.grads).sort(), "parameter names");
    for (const [pname, p] of params) {
      assert.ok(p.grad !== null, `${pname}: no gradient`);
      assertClose((p.grad as Tensor).toTypedArray() as Float32Array, expected.grads[pname] as number[], `grad ${pname}`);
    }
  });
}
