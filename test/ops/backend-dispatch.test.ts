import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { ops, setBackend, tensor, type Backend, type Tensor } from "../../src/index.js";
import { ReferenceBackend, createWasmBackend } from "../../src/backend/index.js";

// The float32 elementwise ops, sums and sumToShape (arithmetic.ts, unary.ts, reduce.ts, views.ts) hand
// contiguous operands to the active backend. Run each expression on the WebAssembly backend (every size
// sent to its kernels, two threads) and on the reference backend, forward and backward, and compare.
const wasm = createWasmBackend({ threads: 2, parallelMinWork: 0, elementwiseMinElements: 0 });
const reference = new ReferenceBackend();
const previous = setBackend(reference);

// Calls per elementwise Backend method on the wasm backend, so each test also proves the ops dispatched.
const calls = new Map<string, number>();
const spied = ["binary", "binaryScalar", "binaryRows", "unary", "unaryBackward", "sum", "sumRows", "sumColumns"] as const;
for (const name of spied) {
  const original = wasm[name].bind(wasm) as (...args: unknown[]) => unknown;
  Object.defineProperty(wasm, name, {
    value: (...args: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return original(...args);
    },
  });
}

function assertCalled(names: readonly (typeof spied)[number][]): void {
  for (const name of names) assert.ok((calls.get(name) ?? 0) > 0, `Backend.${name} was not called`);
  calls.clear();
}
after(() => setBackend(previous));

/** Seeded values in [-2, 2) (an LCG: the test needs reproducible data, not quality). */
function values(seed: number, n: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296) * 4 - 2;
  });
}

interface Run {
  out: Float32Array;
  grads: Float32Array[];
}

/** Builds fresh leaves from `data`, runs f, backpropagates a fixed weighting of the output. */
function runOn(backend: Backend, data: { values: number[]; shape: number[] }[], f: (...xs: Tensor[]) => Tensor): Run {
  setBackend(backend);
  try {
    const leaves = data.map((d) => tensor(d.values, { requiresGrad: true }).reshape(d.shape).detach().requiresGrad_());
    const y = f(...leaves);
    const weights = tensor(values(99, y.size)).reshape(y.shape);
    ops.sum(ops.mul(y, weights)).backward();
    return { out: Float32Array.from(y.toTypedArray()), grads: leaves.map((l) => Float32Array.from(l.grad?.toTypedArray() ?? [])) };
  } finally {
    setBackend(reference);
  }
}

function assertClose(a: Float32Array, e: Float32Array, tol: number, what: string): void {
  assert.equal(a.length, e.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? NaN;
    const y = e[i] ?? NaN;
    if (!(Math.abs(x - y) <= tol * (1 + Math.abs(y)))) assert.fail(`${what}: element ${i}: wasm ${x}, reference ${y}`);
  }
}

function compare(name: string, data: { values: number[]; shape: number[] }[], f: (...xs: Tensor[]) => Tensor, tol = 2e-6): void {
  const e = runOn(reference, data, f);
  const a = runOn(wasm, data, f);
  assertClose(a.out, e.out, tol, `${name} forward`);
  a.grads.forEach((g, i) => assertClose(g, e.grads[i] ?? new Float32Array(), tol, `${name} grad ${i}`));
}

describe("float32 ops through the backend", () => {
  const x = { values: values(1, 6 * 37), shape: [2, 3, 37] };
  const y = { values: values(2, 6 * 37), shape: [2, 3, 37] };
  const bias = { values: values(3, 37), shape: [37] };
  const col = { values: values(4, 3), shape: [3, 1] };

  test("add, sub, mul, div: same shape, scalar, row broadcast both ways, general broadcast", () => {
    compare("add", [x, y], (a, b) => ops.add(a, b));
    compare("x + bias", [x, bias], (a, b) => ops.add(a, b));
    compare("bias - x", [bias, x], (a, b) => ops.sub(a, b));
    compare("x * bias", [x, bias], (a, b) => ops.mul(a, b));
    compare("x / (bias² + 1)", [x, bias], (a, b) => ops.div(a, ops.add(ops.mul(b, b), 1)));
    compare("x * 0.5 - 3", [x], (a) => ops.sub(ops.mul(a, 0.5), 3));
    compare("neg", [x], (a) => ops.neg(a));
    compare("x * column", [x, col], (a, c) => ops.mul(a, c));
    assertCalled(["binary", "binaryScalar", "binaryRows", "sumColumns"]);
  });

  test("unary activations forward and backward", () => {
    compare("exp", [x], (a) => ops.exp(a));
    compare("tanh", [x], (a) => ops.tanh(a));
    compare("sigmoid", [x], (a) => ops.sigmoid(a));
    compare("relu", [x], (a) => ops.relu(a));
    compare("silu", [x], (a) => ops.silu(a));
    compare("sqrt(|x| + 1)", [x], (a) => ops.sqrt(ops.add(ops.abs(a), 1)));
    compare("rsqrt(x² + 1)", [x], (a) => ops.rsqrt(ops.add(ops.square(a), 1)));
    compare("reciprocal", [x], (a) => ops.reciprocal(ops.add(ops.square(a), 0.5)));
    compare("tanh of a transposed view", [x], (a) => ops.tanh(ops.transpose(a, 1, 2)));
    assertCalled(["unary", "unaryBackward"]);
  });

  test("sums: all, last dim, leading dims (mean), and bias gradients through sumToShape", () => {
    compare("sum all", [x], (a) => ops.sum(a), 1e-6);
    compare("sum last dim", [x], (a) => ops.sum(a, -1), 1e-6);
    compare("mean over leading dims", [x], (a) => ops.mean(a, [0, 1]), 1e-6);
    compare("bias gradient", [x, bias], (a, b) => ops.tanh(ops.add(a, b)), 1e-6);
    assertCalled(["sum", "sumRows", "sumColumns"]);
  });
});
