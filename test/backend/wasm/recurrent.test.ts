import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { referenceBackend, setBackend, useFastBackend } from "../../../src/backend/index.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import type { RnnNonlinearity } from "../../../src/backend/reference/recurrent.js";
import { createWasmBackend } from "../../../src/backend/wasm/index.js";
import { manualSeed, nn, ops, randn } from "../../../src/index.js";
import type { Tensor } from "../../../src/tensor/tensor.js";
import { randomFloat32, seededRandom } from "./random.js";

const reference = new ReferenceBackend();
const wasm = createWasmBackend({ threads: 1 });
/** Hidden sizes around the 4-lane SIMD width (tails of 1 and 3 units) and batch sizes including 1. */
const hiddens = [1, 3, 5, 17];
const batches = [1, 3];
const TOL = 1e-5;

/** |actual − expected| ≤ tol·(1 + |expected|) elementwise. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = TOL): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}: element ${i}: wasm ${a}, reference ${e}`);
  }
}

/** Uniform in [−scale, scale): pre-activations reach the saturated ends of σ and tanh. */
function random(rand: () => number, n: number, scale = 1): Float32Array {
  return randomFloat32(rand, n).map((v) => scale * v);
}

describe("wasm LSTM cell", () => {
  for (const coupled of [false, true]) {
    for (const peepholes of [false, true]) {
      test(`forward and backward match the reference (coupled=${coupled}, peepholes=${peepholes})`, () => {
        const rand = seededRandom(coupled ? 21 : 7);
        const G = coupled ? 3 : 4;
        for (const B of batches) {
          for (const H of hiddens) {
            const xg = random(rand, B * G * H, 4);
            const hg = random(rand, B * G * H, 4);
            const cPrev = random(rand, B * H, 2);
            const peep = peepholes ? random(rand, (G - 1) * H) : null;
            const dh = random(rand, B * H);
            const dc = random(rand, B * H);
            const dPeepStart = random(rand, (G - 1) * H); // accumulated into
            // The backward runs on the reference's saved state, so both backends see equal inputs.
            const saved = { gates: new Float32Array(B * G * H), c: new Float32Array(B * H), tanhC: new Float32Array(B * H) };
            reference.lstmCellForward(new Float32Array(B * H), saved.c, saved.gates, saved.tanhC, xg, hg, cPrev, peep, coupled, B, H);
            for (const withDc of [true, false]) {
              const run = (be: ReferenceBackend) => {
                const h = new Float32Array(B * H), c = new Float32Array(B * H), tanhC = new Float32Array(B * H);
                const gates = new Float32Array(B * G * H);
                be.lstmCellForward(h, c, gates, tanhC, xg, hg, cPrev, peep, coupled, B, H);
                const dPre = new Float32Array(B * G * H), dcPrev = new Float32Array(B * H);
                const dPeep = peep ? dPeepStart.slice() : null;
                be.lstmCellBackward(dPre, dcPrev, dPeep, dh, withDc ? dc : null, saved.gates, cPrev, saved.c, saved.tanhC, peep, coupled, B, H);
                return { h, c, gates, tanhC, dPre, dcPrev, dPeep: dPeep ?? new Float32Array(0) };
              };
              const e = run(reference);
              const a = run(wasm);
              const what = `B=${B} H=${H} dc=${withDc}`;
              for (const key of ["h", "c", "gates", "tanhC", "dPre", "dcPrev", "dPeep"] as const) assertClose(a[key], e[key], `${what} ${key}`);
            }
          }
        }
      });
    }
  }

  test("without peepholes, a dPeephole array is left alone", () => {
    const B = 2, H = 5, G = 4;
    const rand = seededRandom(3);
    const gates = Float32Array.from(random(rand, B * G * H), (v) => 0.5 + 0.4 * v);
    const dPeep = Float32Array.from({ length: 3 * H }, (_, i) => i);
    wasm.lstmCellBackward(
      new Float32Array(B * G * H), new Float32Array(B * H), dPeep, random(rand, B * H), null,
      gates, random(rand, B * H), random(rand, B * H), random(rand, B * H), null, false, B, H,
    );
    assert.deepEqual(Array.from(dPeep), Array.from({ length: 3 * H }, (_, i) => i));
  });

  test("saturated pre-activations (up to ±∞) match the reference, with no NaN", () => {
    const H = 5, G = 4;
    const big = [-1e4, -200, -90, 90, 200, 1e4, -Infinity, Infinity];
    const xg = Float32Array.from({ length: G * H }, (_, i) => big[i % big.length] as number);
    const hg = new Float32Array(G * H);
    const cPrev = Float32Array.from({ length: H }, (_, i) => i - 2);
    const out = (be: ReferenceBackend) => {
      const gates = new Float32Array(G * H);
      const c = new Float32Array(H);
      be.lstmCellForward(new Float32Array(H), c, gates, new Float32Array(H), xg, hg, cPrev, null, false, 1, H);
      return { gates, c };
    };
    const e = out(reference), a = out(wasm);
    assertClose(a.gates, e.gates, "gates");
    assertClose(a.c, e.c, "c");
  });
});

describe("wasm GRU cell", () => {
  test("forward and backward match the reference", () => {
    const rand = seededRandom(5);
    for (const B of batches) {
      for (const H of hiddens) {
        const xg = random(rand, B * 3 * H, 4);
        const hg = random(rand, B * 3 * H, 4);
        const hPrev = random(rand, B * H);
        const dh = random(rand, B * H);
        const saved = new Float32Array(B * 3 * H);
        reference.gruCellForward(new Float32Array(B * H), saved, xg, hg, hPrev, B, H);
        const run = (be: ReferenceBackend) => {
          const h = new Float32Array(B * H), gates = new Float32Array(B * 3 * H);
          be.gruCellForward(h, gates, xg, hg, hPrev, B, H);
          const dxg = new Float32Array(B * 3 * H), dhg = new Float32Array(B * 3 * H), dhPrev = new Float32Array(B * H);
          be.gruCellBackward(dxg, dhg, dhPrev, dh, saved, hg, hPrev, B, H);
          return { h, gates, dxg, dhg, dhPrev };
        };
        const e = run(reference);
        const a = run(wasm);
        for (const key of ["h", "gates", "dxg", "dhg", "dhPrev"] as const) assertClose(a[key], e[key], `B=${B} H=${H} ${key}`);
      }
    }
  });
});

describe("wasm RNN cell", () => {
  for (const nonlinearity of ["tanh", "relu"] as RnnNonlinearity[]) {
    test(`forward and backward match the reference (${nonlinearity})`, () => {
      const rand = seededRandom(nonlinearity === "tanh" ? 9 : 10);
      for (const B of batches) {
        for (const H of hiddens) {
          const xg = random(rand, B * H, 4);
          const hg = random(rand, B * H, 4);
          const dh = random(rand, B * H);
          const saved = new Float32Array(B * H);
          reference.rnnCellForward(saved, xg, hg, nonlinearity, B, H);
          const run = (be: ReferenceBackend) => {
            const h = new Float32Array(B * H), dPre = new Float32Array(B * H);
            be.rnnCellForward(h, xg, hg, nonlinearity, B, H);
            be.rnnCellBackward(dPre, dh, saved, nonlinearity, B, H);
            return { h, dPre };
          };
          const e = run(reference);
          const a = run(wasm);
          for (const key of ["h", "dPre"] as const) assertClose(a[key], e[key], `B=${B} H=${H} ${key}`);
        }
      }
    });
  }
});

describe("wasm backend float64 cells", () => {
  test("fall back to the reference exactly", () => {
    const B = 2, H = 3;
    const rand = seededRandom(12);
    const xg = Float64Array.from(random(rand, B * 4 * H, 3)), hg = Float64Array.from(random(rand, B * 4 * H, 3));
    const cPrev = Float64Array.from(random(rand, B * H));
    const run = (be: ReferenceBackend) => {
      const h = new Float64Array(B * H);
      be.lstmCellForward(h, new Float64Array(B * H), new Float64Array(B * 4 * H), new Float64Array(B * H), xg, hg, cPrev, null, false, B, H);
      return h;
    };
    assert.deepEqual(Array.from(run(wasm)), Array.from(run(reference)));
  });
});

describe("nn.LSTM on the wasm backend", () => {
  test("forward and backward match the reference backend (peepholes, two layers, bidirectional)", () => {
    const run = (fast: boolean) => {
      const previous = fast ? useFastBackend() : setBackend(referenceBackend);
      try {
        manualSeed(4);
        const lstm = new nn.LSTM(6, 5, { numLayers: 2, bidirectional: true, peephole: true });
        const x = randn([7, 3, 6]).requiresGrad_();
        const [out, [h, c]] = lstm.forward(x);
        const loss = ops.add(ops.add(ops.sum(ops.mul(out, randn([...out.shape]))), ops.sum(h)), ops.sum(ops.mul(c, c)));
        loss.backward();
        const grads = lstm.parameters().map((p: Tensor) => (p.grad as Tensor).toTypedArray());
        return { out: out.toTypedArray(), h: h.toTypedArray(), c: c.toTypedArray(), dx: (x.grad as Tensor).toTypedArray(), grads };
      } finally {
        setBackend(previous);
      }
    };
    const e = run(false);
    const a = run(true);
    assertClose(a.out, e.out, "output", 1e-5);
    assertClose(a.h, e.h, "hN", 1e-5);
    assertClose(a.c, e.c, "cN", 1e-5);
    assertClose(a.dx, e.dx, "dx", 1e-5);
    assert.equal(a.grads.length, e.grads.length);
    a.grads.forEach((g, i) => assertClose(g, e.grads[i] as Float32Array, `parameter ${i} grad`, 1e-4));
  });
});
