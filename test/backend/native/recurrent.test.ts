import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../../src/backend/backend.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { ShapeError } from "../../../src/errors.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { closeTo, nativeBackends, skip } from "./native.js";

const reference = new ReferenceBackend();
/** Hidden sizes around the 8- and 16-lane widths, and batches including 1. */
const hiddens = [1, 5, 16, 17, 40];
const batches = [1, 3];

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-5): void {
  const problem = closeTo(actual, expected, tol, what);
  if (problem) assert.fail(problem);
}

/** Uniform in [−scale, scale): pre-activations reach the saturated ends of σ and tanh. */
function random(rand: () => number, n: number, scale = 1): Float32Array {
  return randomFloat32(rand, n).map((v) => scale * v);
}

for (const [label, make] of nativeBackends()) {
  describe(`native recurrent cells (${label})`, { skip }, () => {
    test("LSTM forward and backward, plain, peephole and coupled, with and without dc", () => {
      const be = make();
      for (const coupled of [false, true]) {
        for (const peepholes of [false, true]) {
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
              const dPeepStart = random(rand, (G - 1) * H);
              // the backward reads the reference's saved state, so both see equal inputs
              const saved = { gates: new Float32Array(B * G * H), c: new Float32Array(B * H), tanhC: new Float32Array(B * H) };
              reference.lstmCellForward(new Float32Array(B * H), saved.c, saved.gates, saved.tanhC, xg, hg, cPrev, peep, coupled, B, H);
              for (const withDc of [true, false]) {
                const run = (k: Backend) => {
                  const h = new Float32Array(B * H), c = new Float32Array(B * H), tanhC = new Float32Array(B * H);
                  const gates = new Float32Array(B * G * H);
                  k.lstmCellForward(h, c, gates, tanhC, xg, hg, cPrev, peep, coupled, B, H);
                  const dPre = new Float32Array(B * G * H), dcPrev = new Float32Array(B * H);
                  const dPeep = peep ? dPeepStart.slice() : null;
                  k.lstmCellBackward(dPre, dcPrev, dPeep, dh, withDc ? dc : null, saved.gates, cPrev, saved.c, saved.tanhC, peep, coupled, B, H);
                  return { h, c, gates, tanhC, dPre, dcPrev, dPeep: dPeep ?? new Float32Array(0) };
                };
                const e = run(reference);
                const a = run(be);
                for (const key of ["h", "c", "gates", "tanhC", "dPre", "dcPrev", "dPeep"] as const) {
                  assertClose(a[key], e[key], `coupled=${coupled} peepholes=${peepholes} B=${B} H=${H} dc=${withDc} ${key}`);
                }
              }
            }
          }
        }
      }
    });

    test("GRU forward and backward", () => {
      const be = make();
      const rand = seededRandom(8);
      for (const B of batches) {
        for (const H of hiddens) {
          const xg = random(rand, B * 3 * H, 4);
          const hg = random(rand, B * 3 * H, 4);
          const hPrev = random(rand, B * H);
          const dh = random(rand, B * H);
          const gatesRef = new Float32Array(B * 3 * H);
          reference.gruCellForward(new Float32Array(B * H), gatesRef, xg, hg, hPrev, B, H);
          const run = (k: Backend) => {
            const h = new Float32Array(B * H), gates = new Float32Array(B * 3 * H);
            k.gruCellForward(h, gates, xg, hg, hPrev, B, H);
            const dxg = new Float32Array(B * 3 * H), dhg = new Float32Array(B * 3 * H), dhPrev = new Float32Array(B * H);
            k.gruCellBackward(dxg, dhg, dhPrev, dh, gatesRef, hg, hPrev, B, H);
            return { h, gates, dxg, dhg, dhPrev };
          };
          const e = run(reference);
          const a = run(be);
          for (const key of ["h", "gates", "dxg", "dhg", "dhPrev"] as const) assertClose(a[key], e[key], `B=${B} H=${H} ${key}`);
        }
      }
    });

    test("Elman RNN forward and backward, tanh and relu (NaN passes through relu, as Math.max)", () => {
      const be = make();
      const rand = seededRandom(9);
      for (const nonlinearity of ["tanh", "relu"] as const) {
        for (const H of hiddens) {
          const B = 3;
          const xg = random(rand, B * H, 3);
          const hg = random(rand, B * H, 3);
          xg[0] = NaN;
          xg.fill(1e-4, 1, 2); // tanh's small-argument series
          const dh = random(rand, B * H);
          const run = (k: Backend) => {
            const h = new Float32Array(B * H), dPre = new Float32Array(B * H);
            k.rnnCellForward(h, xg, hg, nonlinearity, B, H);
            k.rnnCellBackward(dPre, dh, h, nonlinearity, B, H);
            return { h, dPre };
          };
          const e = run(reference);
          const a = run(be);
          assertClose(a.h, e.h, `${nonlinearity} H=${H} h`);
          assertClose(a.dPre, e.dPre, `${nonlinearity} H=${H} dPre`);
        }
      }
    });

    test("arrays too short for batch × hidden are ShapeErrors", () => {
      const be = make();
      const f = (n: number) => new Float32Array(n);
      assert.throws(() => be.gruCellForward(f(4), f(12), f(11), f(12), f(4), 2, 2), ShapeError);
      assert.throws(() => be.rnnCellForward(f(3), f(4), f(4), "tanh", 2, 2), ShapeError);
      assert.throws(() => be.lstmCellForward(f(4), f(4), f(16), f(4), f(16), f(16), f(4), f(5), false, 2, 2), ShapeError);
    });
  });
}
