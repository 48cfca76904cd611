import { test } from "node:test";
import assert from "node:assert/strict";
import { geluBackward, geluForward } from "../../../src/backend/reference/gelu.js";

import type { GeluApproximation } from "../../../src/backend/reference/gelu.js";

// PyTorch 1.13 values of F.gelu(x, approximate=...) and its derivative at these x (float64, 10
// significant digits), printed by scripts/fixtures/backend_gelu.py.
const xs = Float64Array.of(-3, -1, -0.5, 0, 0.5, 1, 3);
const FIXTURE: [GeluApproximation, number[], number[]][] = [
  ["none", [-0.004049694095, -0.1586552539, -0.1542687694, 0, 0.3457312306, 0.8413447461, 2.995950306], [-0.0119456472, -0.08331547059, 0.1325048753, 0.5, 0.8674951247, 1.083315471, 1.011945647]],
  ["tanh", [-0.003637392082, -0.1588080094, -0.1542859902, 0, 0.3457140098, 0.8411919906, 2.996362608], [-0.01158416663, -0.08296408385, 0.1326300965, 0.5, 0.8673699035, 1.082964084, 1.011584167]],
];

test("reference GELU forward and derivative against PyTorch values", () => {
  for (const [approximate, y, dy] of FIXTURE) {
    const out = new Float64Array(xs.length);
    const dx = new Float64Array(xs.length);
    geluForward(out, xs, xs.length, approximate);
    geluBackward(dx, new Float64Array(xs.length).fill(1), xs, xs.length, approximate);
    for (let i = 0; i < xs.length; i++) {
      assert.ok(Math.abs((out[i] ?? NaN) - (y[i] ?? NaN)) < 1e-9, `${approximate} y(${xs[i]}) = ${out[i]}, torch ${y[i]}`);
      assert.ok(Math.abs((dx[i] ?? NaN) - (dy[i] ?? NaN)) < 1e-9, `${approximate} y'(${xs[i]}) = ${dx[i]}, torch ${dy[i]}`);
    }
  }
});
