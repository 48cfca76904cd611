/**
 * GPT-2 interoperability with PyTorch, both directions, against fixtures from an independent PyTorch
 * GPT-2 (scripts/fixtures/gpt_interop.py; direction A's checkpoint from scripts/fixtures/make-loom-gpt.ts):
 * logits, the mean cross-entropy loss and gradients of that loss for a few named weights, to 1e-4.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tensor, type Tensor } from "../../../src/index.js";
import { loadModel } from "../../../src/train/checkpoint.js";
import type { GPT } from "../../../src/models/gpt/index.js";

const FIXTURES = new URL("../../fixtures/gpt/", import.meta.url).pathname;
const TOLERANCE = 1e-4;

interface Encoded {
  shape: number[];
  data: number[];
}

interface Expected {
  ids: number[][];
  targets: number[][];
  logits: Encoded;
  loss: number;
  grads: Record<string, Encoded>;
}

function readExpected(file: string): Expected {
  return JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Expected;
}

function assertClose(actual: Tensor, expected: Encoded, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const values = actual.toTypedArray();
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const diff = Math.abs((values[i] as number) - (expected.data[i] as number));
    if (!(diff <= worst)) {
      worst = diff;
      worstAt = i;
    }
  }
  assert.ok(worst <= TOLERANCE, `${what}: |loom − torch| = ${worst} at flat index ${worstAt} (loom ${values[worstAt]}, torch ${expected.data[worstAt]})`);
}

/** Runs the model on the fixture's ids and targets and compares logits, loss and gradients. */
function checkAgainst(model: GPT, expected: Expected): void {
  model.eval(); // the configs carry GPT-2's dropout 0.1; the reference has none
  const ids = tensor(expected.ids, { dtype: "int32" });
  const targets = tensor(expected.targets, { dtype: "int32" });
  const { logits, loss } = model.forward(ids, { targets });
  assertClose(logits, expected.logits, "logits");
  assert.ok(loss !== null);
  assert.ok(Math.abs(loss.item() - expected.loss) <= TOLERANCE, `loss: loom ${loss.item()}, torch ${expected.loss}`);
  loss.backward();
  const params = new Map(model.namedParameters());
  const names = Object.keys(expected.grads);
  assert.ok(names.length > 0);
  for (const name of names) {
    const grad = params.get(name)?.grad;
    assert.ok(grad, `no gradient for ${name}`);
    assertClose(grad, expected.grads[name] as Encoded, `d loss / d ${name}`);
  }
}

test("loom → PyTorch: a checkpoint written by saveModel gives PyTorch GPT-2's logits, loss and gradients", () => {
  const { model } = loadModel(join(FIXTURES, "loom-model"));
  checkAgainst(model, readExpected("loom-model/torch-logits.json"));
});

test("PyTorch → loom: GPT2LMHeadModel state-dict names (transformer. prefix, tied lm_head.weight stored)", () => {
  const { model, step } = loadModel(join(FIXTURES, "torch-model"));
  assert.equal(step, 0); // no loom_step metadata in a PyTorch file
  assert.equal(model.outputWeight, model.transformer.wte.weight, "lm_head stays tied to wte");
  checkAgainst(model, readExpected("torch-model/expected.json"));
});

test("PyTorch → loom: original GPT-2 checkpoint names (no prefix, no lm_head, attn.bias/masked_bias buffers)", () => {
  const { model } = loadModel(join(FIXTURES, "torch-model-bare"));
  checkAgainst(model, readExpected("torch-model/expected.json"));
});
