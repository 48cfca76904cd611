import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { AutogradError, ShapeError, manualSeed, noGrad, randn, tensor, type Tensor } from "../../src/index.js";
import { assertClose, gradOf, leaf } from "../ops/helpers.js";

const f64 = (xs: number[], requiresGrad = true): Tensor => tensor(xs, { dtype: "float64", requiresGrad });

describe("backward semantics (PyTorch's)", () => {
  test("gradients accumulate across backward calls until reset", () => {
    const x = f64([1, 2]);
    x.mul(3).sum().backward();
    x.mul(3).sum().backward();
    assert.deepEqual(gradOf(x).toArray(), [6, 6]);
    x.grad = null;
    x.square().sum().backward();
    assert.deepEqual(gradOf(x).toArray(), [2, 4]);
  });

  test("a tensor used twice gets the summed gradient (x*x → 2x)", () => {
    const x = f64([3, -1]);
    x.mul(x).sum().backward();
    assert.deepEqual(gradOf(x).toArray(), [6, -2]);
    const y = f64([2]);
    const z = y.mul(2);
    z.add(z.mul(z)).sum().backward(); // d/dy (2y + 4y²) = 2 + 8y
    assert.deepEqual(gradOf(y).toArray(), [18]);
  });

  test("contributions summed into a buffer made in the backward (pooled sizes): right sums, retained gradients intact", () => {
    manualSeed(3);
    const x = randn([32, 64]).requiresGrad_(); // 8 KiB: buffers the engine may sum into in place
    const w = randn([32, 64]);
    const y = x.mul(3).retainGrad();
    // y's contributions come back as fresh buffers (w·e^y, 2w, w·cos y): the later ones are summed into the first.
    y.exp().add(y.mul(2)).add(y.sin()).mul(w).sum().backward();
    const yv = y.toTypedArray();
    const wv = w.toTypedArray();
    const dy = Array.from(yv, (v, i) => (wv[i] as number) * (Math.exp(v) + 2 + Math.cos(v)));
    assertClose(Array.from((y.grad as Tensor).toTypedArray()), dy, 1e-5, "y.grad");
    assertClose(Array.from(gradOf(x).toTypedArray()), dy.map((g) => 3 * g), 1e-5, "x.grad");
    // y + y hands one gradient tensor back for both operands: it is never summed into itself.
    x.grad = null;
    const y2 = x.mul(3);
    y2.add(y2).mul(w).add(y2.exp()).sum().backward();
    const dy2 = Array.from(yv, (v, i) => 2 * (wv[i] as number) + Math.exp(v));
    assertClose(Array.from(gradOf(x).toTypedArray()), dy2.map((g) => 3 * g), 1e-5, "x.grad of y + y");
  });

  test("a leaf's gradient made in the backward becomes its .grad uncopied, never shared with another tensor's", () => {
    manualSeed(4);
    const a = randn([32, 64]).requiresGrad_(); // 8 KiB: buffers the engine tracks
    const b = randn([32, 64]).requiresGrad_();
    const m = randn([64, 16]);
    // a + b hands one gradient tensor (fresh from the matmul's backward) back for both leaves.
    a.add(b).matmul(m).square().sum().backward();
    const ga = gradOf(a);
    const gb = gradOf(b);
    assert.notEqual(ga.storage.buffer, gb.storage.buffer, "the two leaves' gradients share a buffer");
    assert.deepEqual(Array.from(ga.toTypedArray()), Array.from(gb.toTypedArray()));
    const expected = Array.from(ga.toTypedArray());
    ga.storage.fill(0); // the user's own buffer: writing it changes nothing else
    assert.deepEqual(Array.from(gb.toTypedArray()), expected);
    // A second backward (reusing the first one's recycled buffers) leaves the kept gradients alone and
    // accumulates into them in place.
    ga.storage.set(expected);
    b.grad = null;
    a.add(b).matmul(m).square().sum().backward();
    assertClose(Array.from(gradOf(a).toTypedArray()), expected.map((g) => 2 * g), 1e-5, "a.grad after two backwards");
    assertClose(Array.from(gradOf(b).toTypedArray()), expected, 1e-5, "b.grad after reset and one backward");
  });

  test(".grad only on leaves unless retainGrad()", () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    const k = x.mul(3).retainGrad();
    h.add(k).mul(k).sum().backward();
    assert.equal(h.grad, null);
    assert.equal(h.isLeaf, false);
    // d/dk of (h+k)·k = h + 2k = 2x + 6x = 8x
    assert.deepEqual(gradOf(k).toArray(), [8, 16]);
    // d/dx of (2x+3x)·3x = 15x² → 30x
    assert.deepEqual(gradOf(x).toArray(), [30, 60]);
  });

  test("a second backward through a freed graph throws; retainGraph keeps it", () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    assert.throws(() => y.backward(), (e: unknown) => e instanceof AutogradError && /second time/.test((e as Error).message) && /retainGraph/.test((e as Error).message));
    const x2 = f64([1, 2]);
    const y2 = x2.exp().sum();
    y2.backward(undefined, { retainGraph: true });
    y2.backward();
    assertClose(gradOf(x2), [2 * Math.E, 2 * Math.exp(2)], 1e-15);
  });

  test("a freed graph keeps none of its tensors (the activations die during the backward); a shared part throws on reuse", () => {
    const x = f64([1, 2]);
    const h = x.exp();
    const y = h.mul(h).sum();
    const z = h.sum();
    assert.equal(y.gradFn?.inputs.length, 1);
    y.backward();
    assert.equal(y.gradFn?.inputs.length, 0);
    assert.equal(h.gradFn?.inputs.length, 0);
    // z's own node still holds h, but h's node was consumed by y's backward.
    assert.throws(() => z.backward(), /second time \(through exp/);
    const x2 = f64([1, 2]);
    const y2 = x2.exp().sum();
    y2.backward(undefined, { retainGraph: true });
    assert.equal(y2.gradFn?.inputs.length, 1);
  });

  test("non-scalar outputs need an explicit gradient of their shape", () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    assert.throws(() => y.backward(), { name: "AutogradError", message: "backward: grad can be implicitly created only for scalar outputs, got shape [2]" });
    assert.throws(() => y.backward(tensor([1, 1, 1])), ShapeError);
    y.backward(tensor([1, 10]));
    assert.deepEqual(gradOf(x).toArray(), [2, 20]);
    assert.equal(gradOf(x).dtype, "float64", "the gradient takes the leaf's dtype");
  });

  test("backward of a tensor that does not require grad throws", () => {
    assert.throws(() => tensor([1]).sum().backward(), AutogradError);
  });

  test("backward on a leaf itself, and a strided gradient", () => {
    const x = f64([5]);
    x.backward();
    assert.deepEqual(gradOf(x).toArray(), [1]);
    const m = tensor([[1, 2], [3, 4]], { dtype: "float64", requiresGrad: true });
    m.mul(1).backward(tensor([[1, 2], [3, 4]], { dtype: "float64" }).T);
    assert.deepEqual(gradOf(m).toArray(), [[1, 3], [2, 4]]);
  });

  test("noGrad records nothing; detach cuts the graph", () => {
    const x = f64([1, 2]);
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const z = x.mul(2).detach().mul(x).sum();
    z.backward();
    assert.deepEqual(gradOf(x).toArray(), [2, 4], "the detached factor is a constant");
  });

  test("inputs that do not require grad get no gradient", () => {
    const x = f64([1, 2]);
    const c = f64([3, 4], false);
    x.mul(c).sum().backward();
    assert.equal(c.grad, null);
    assert.deepEqual(gradOf(x).toArray(), [3, 4]);
  });

  test("deep chains (10,000 ops) do not overflow the stack", () => {
    const x = f64([1]);
    let y: Tensor = x;
    for (let i = 0; i < 10000; i++) y = y.add(1);
    y.sum().backward();
    assert.deepEqual(gradOf(x).toArray(), [1]);
    assert.equal(y.item(), 10001);
  });

  test("diamond graph: gradient through both branches", () => {
    const x = leaf([3], 1);
    const a = x.sin();
    const b = x.cos();
    a.mul(b).sum().backward(); // d/dx sin·cos = cos² − sin²
    const v = Array.from(x.detach().toTypedArray());
    assertClose(gradOf(x), v.map((t) => Math.cos(2 * t)), 1e-14);
  });
});
