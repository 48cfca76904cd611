import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { autograd, losses, tensor, randn, manualSeed, Tensor, ShapeError, IndexError, type NestedArray } from "../../src/index.js";

interface Case {
  name: string;
  loss: string;
  options: Record<string, unknown>;
  targetKind: "float" | "index";
  input: NestedArray;
  target: NestedArray;
  output: number | NestedArray;
  outputShape: number[];
  grad: number[];
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/losses/torch.json", import.meta.url), "utf8")) as { cases: Case[] };

type LossFn = (input: Tensor, target: Tensor, options: Record<string, unknown>) => Tensor;
const fns: Record<string, LossFn> = {
  mseLoss: (i, t, o) => losses.mseLoss(i, t, o),
  l1Loss: (i, t, o) => losses.l1Loss(i, t, o),
  huberLoss: (i, t, o) => losses.huberLoss(i, t, o),
  smoothL1Loss: (i, t, o) => losses.smoothL1Loss(i, t, o),
  crossEntropy: (i, t, o) => losses.crossEntropy(i, t, o),
  nllLoss: (i, t, o) => losses.nllLoss(i, t, o),
  binaryCrossEntropy: (i, t, o) => losses.binaryCrossEntropy(i, t, o),
  bceWithLogits: (i, t, o) => losses.bceWithLogits(i, t, o),
  focalLoss: (i, t, o) => losses.focalLoss(i, t, o),
};

/** Fixture options → loom options (tensors built from the stored arrays). */
function optionsOf(c: Case): Record<string, unknown> {
  const o: Record<string, unknown> = { ...c.options };
  if (Array.isArray(o.weight)) o.weight = tensor(o.weight as NestedArray, { dtype: "float64" });
  if (Array.isArray(o.posWeight)) o.posWeight = tensor(o.posWeight as NestedArray, { dtype: "float64" });
  if (Array.isArray(o.alphaTensor)) {
    o.alpha = tensor(o.alphaTensor as NestedArray, { dtype: "float64" });
    delete o.alphaTensor;
  }
  delete o.weightShape;
  return o;
}

function flat(x: number | NestedArray): number[] {
  return Array.isArray(x) ? x.flatMap((v) => flat(v)) : [Number(x)];
}

function close(actual: number, expected: number, rtol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rtol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe("losses against PyTorch fixtures (float64)", () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const fn = fns[c.loss];
      assert.ok(fn, `unknown loss ${c.loss}`);
      const input = tensor(c.input, { dtype: "float64", requiresGrad: true });
      const target = tensor(c.target, { dtype: c.targetKind === "index" ? "int32" : "float64" });
      const out = fn(input, target, optionsOf(c));
      assert.deepEqual(out.shape, c.outputShape);
      const expected = flat(c.output);
      const actual = flat(out.toArray());
      expected.forEach((e, i) => close(actual[i] as number, e, 1e-9, `${c.name} output[${i}]`));
      if (out.ndim === 0) out.backward();
      else {
        const n = out.size;
        const dir = Array.from({ length: n }, (_, i) => (n === 1 ? -1 : -1 + (2 * i) / (n - 1)));
        out.backward(tensor(dir, { dtype: "float64" }).reshape(out.shape));
      }
      const grad = flat(input.grad?.toArray() ?? []);
      c.grad.forEach((e, i) => close(grad[i] as number, e, 1e-9, `${c.name} grad[${i}]`));
    });
  }

  test("float32 matches the float64 fixture to 1e-5", () => {
    const c = fixture.cases.find((k) => k.name === "ce idx mean ls=0.1 w=True");
    assert.ok(c);
    const out = losses.crossEntropy(tensor(c.input), tensor(c.target, { dtype: "int32" }), {
      ...optionsOf(c),
      weight: tensor(c.options.weight as NestedArray),
    });
    close(out.item(), c.output as number, 1e-5, "float32 crossEntropy");
  });
});

describe("loss gradchecks (float64, central differences)", () => {
  manualSeed(7);
  const x = () => randn([4, 3], { dtype: "float64" }).requiresGrad_();
  const y = randn([4, 3], { dtype: "float64" });
  const idx = tensor([2, 0, 1, 2], { dtype: "int32" });
  const prob = randn([4, 3], { dtype: "float64" }).softmax(1);
  const bin = tensor([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0.5, 0, 1]], { dtype: "float64" });
  const w = tensor([0.3, 1, 2], { dtype: "float64" });
  const cases: [string, (a: Tensor) => Tensor][] = [
    ["mseLoss", (a) => losses.mseLoss(a, y)],
    ["l1Loss", (a) => losses.l1Loss(a, y, { reduction: "sum" })],
    ["huberLoss", (a) => losses.huberLoss(a, y, { delta: 0.7 })],
    ["smoothL1Loss", (a) => losses.smoothL1Loss(a, y, { beta: 0.5, reduction: "none" })],
    ["crossEntropy index", (a) => losses.crossEntropy(a, idx, { weight: w, labelSmoothing: 0.1 })],
    ["crossEntropy index ignore", (a) => losses.crossEntropy(a, tensor([2, -100, 1, 0], { dtype: "int32" }), { reduction: "none" })],
    ["crossEntropy probabilities", (a) => losses.crossEntropy(a, prob, { labelSmoothing: 0.2, weight: w })],
    ["nllLoss", (a) => losses.nllLoss(a.logSoftmax(1), idx, { weight: w })],
    ["binaryCrossEntropy", (a) => losses.binaryCrossEntropy(a.sigmoid(), bin)],
    ["bceWithLogits", (a) => losses.bceWithLogits(a, bin, { posWeight: tensor([1, 2, 0.5], { dtype: "float64" }) })],
    ["focalLoss binary", (a) => losses.focalLoss(a, bin, { gamma: 2 })],
    ["focalLoss multi-class", (a) => losses.focalLoss(a, idx, { gamma: 1.5, alpha: w })],
  ];
  for (const [name, fn] of cases) {
    test(name, () => assert.equal(autograd.gradcheck(fn, [x()]), true));
  }
  test("non-contiguous input (transposed logits)", () => {
    const base = randn([3, 4], { dtype: "float64" }).requiresGrad_();
    assert.equal(autograd.gradcheck((a) => losses.crossEntropy(a.T, idx), [base]), true);
  });
});

describe("loss errors and edge cases", () => {
  test("shape mismatch names the loss and both shapes", () => {
    assert.throws(() => losses.mseLoss(randn([2, 3]), randn([3, 2])), (e: unknown) => e instanceof ShapeError && /mseLoss.*\[2,3\].*\[3,2\]/.test(e.message));
  });
  test("float class indices are a DTypeError naming the op, the dtype and what it expects (issue 16.10)", () => {
    assert.throws(() => losses.crossEntropy(randn([4, 3]), tensor([0, 2, 1, 1])), {
      name: "DTypeError",
      message:
        'crossEntropy: target [4] has the shape of class indices but dtype float32; class indices must be int32 (target.to("int32")), ' +
        "and float32 targets are probabilities of the input's shape [4,3]",
    });
    assert.throws(() => losses.crossEntropy(randn([2, 3, 5]), randn([2, 5], { dtype: "float64" })), /crossEntropy: target \[2,5\] has the shape of class indices but dtype float64/);
    assert.throws(() => losses.focalLoss(randn([4, 3]), tensor([0, 2, 1, 1])), { name: "DTypeError", message: /^focalLoss: target \[4\] has the shape of class indices/ });
    // A float target that fits neither form is a ShapeError that names both.
    assert.throws(() => losses.crossEntropy(randn([4, 3]), randn([4, 2])), {
      name: "ShapeError",
      message: "crossEntropy: input [4,3] expects int32 class indices of shape [4] or floating-point probabilities of shape [4,3], got float32 [4,2]",
    });
    // Probabilities of the input's shape still work.
    assert.ok(Number.isFinite(losses.crossEntropy(randn([4, 3]), tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0]])).item()));
  });
  test("out-of-range class index", () => {
    assert.throws(() => losses.crossEntropy(randn([2, 3]), tensor([0, 3], { dtype: "int32" })), IndexError);
  });
  test("bceWithLogits is finite for huge logits", () => {
    const v = losses.bceWithLogits(tensor([1000, -1000]), tensor([0, 1])).item();
    assert.ok(Number.isFinite(v) && Math.abs(v - 1000) < 1e-3, String(v));
  });
  test("binaryCrossEntropy clamps log(0) to -100", () => {
    assert.equal(losses.binaryCrossEntropy(tensor([0]), tensor([1])).item(), 100);
  });
  test("all-ignored mean cross-entropy is NaN as in PyTorch", () => {
    assert.ok(Number.isNaN(losses.crossEntropy(randn([2, 3]), tensor([-100, -100], { dtype: "int32" })).item()));
  });
});
