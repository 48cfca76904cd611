import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAttentionMaps } from "../../src/analysis/attention-maps.js";
import { FlowNetwork } from "../../src/analysis/max-flow.js";
import { attentionFlow, attentionRollout, residualAttention } from "../../src/analysis/rollout.js";
import { ShapeError, ValueError } from "../../src/errors.js";
import { assertClose, randomAttention, seededRandom } from "./helpers.js";

type Matrix = number[][];
const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
const identity = (n: number): Matrix => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/** Ã = rownorm(½·mean over heads + ½·I), written out directly. */
function augmented(heads: Matrix[]): Matrix {
  const n = heads[0]!.length;
  return identity(n).map((row, i) => {
    const r = row.map((id, j) => 0.5 * heads.reduce((s, h) => s + h[i]![j]!, 0) / heads.length + 0.5 * id);
    const sum = r.reduce((s, x) => s + x, 0);
    return r.map((x) => x / sum);
  });
}

/** Min cut by trying every source-side set: by max-flow/min-cut it equals the max flow. */
function bruteForceMinCut(nodes: number, edges: [number, number, number][], source: number, sink: number): number {
  const others = Array.from({ length: nodes }, (_, v) => v).filter((v) => v !== source && v !== sink);
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 1 << others.length; mask++) {
    const side = new Set([source, ...others.filter((_, i) => (mask >> i) & 1)]);
    let cut = 0;
    for (const [u, v, c] of edges) if (side.has(u) && !side.has(v)) cut += c;
    best = Math.min(best, cut);
  }
  return best;
}

// The maps store float32, so the independent computation starts from the same rounded weights.
const f32 = (m: Matrix): Matrix => m.map((row) => row.map(Math.fround));

const flat = (m: Float64Array, n: number): Matrix => Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * n, (i + 1) * n)));

describe("analysis/rollout", () => {
  test("rollout equals the direct product Ã3·Ã2·Ã1 of head-averaged, residual-augmented attention", () => {
    const random = seededRandom(15);
    const n = 4;
    const weights = Array.from({ length: 3 }, () => Array.from({ length: 2 }, () => randomAttention(n, random, true)));
    const maps = createAttentionMaps({ weights, keyTokens: ["a", "b", "c", "d"], causal: true });
    const rollout = attentionRollout(maps);
    const [a1, a2, a3] = weights.map(augmented) as [Matrix, Matrix, Matrix];
    const expected = [a1, matmul(a2, a1), matmul(a3, matmul(a2, a1))];
    assert.equal(rollout.length, 3);
    rollout.forEach((r, l) => {
      flat(r, n).forEach((row, i) => row.forEach((x, j) => assertClose(x, expected[l]![i]![j]!, 1e-6, `R${l + 1}[${i}][${j}]`)));
    });
    // Rows stay distributions, and a causal model never draws on later tokens.
    for (const row of flat(rollout[2]!, n)) assertClose(row.reduce((s, x) => s + x, 0), 1, 1e-9, "row sum");
    assert.equal(rollout[2]![0 * n + 3], 0);
  });

  test("residual weight 0 multiplies the raw attention; a previous-token chain shifts by the layer count", () => {
    const shift: Matrix = [[1, 0, 0], [1, 0, 0], [0, 1, 0]];
    const maps = createAttentionMaps({ weights: [[shift], [shift]], keyTokens: ["x", "y", "z"], causal: true });
    const r = flat(attentionRollout(maps, { residualWeight: 0 })[1]!, 3);
    assert.deepEqual(r, matmul(shift, shift)); // z -> y -> x
    assert.deepEqual(r[2], [1, 0, 0]);
    assert.deepEqual(flat(residualAttention(maps)[0]!, 3)[2], [0, 0.5, 0.5]);
  });

  test("errors: cross-attention and a bad residual weight", () => {
    const cross = createAttentionMaps({ weights: [[[[0.5, 0.5, 0]]]], keyTokens: ["a", "b", "c"], queryTokens: ["q"] });
    assert.throws(() => attentionRollout(cross), ShapeError);
    const maps = createAttentionMaps({ weights: [[[[1, 0], [0, 1]]]], keyTokens: ["a", "b"] });
    assert.throws(() => attentionRollout(maps, { residualWeight: 2 }), /residualWeight must be in \[0, 1\], got 2/);
  });
});

describe("analysis/max-flow", () => {
  test("the CLRS flow network has maximum flow 23", () => {
    // Cormen et al., Introduction to Algorithms, fig. 26.1: s=0, v1..v4 = 1..4, t=5.
    const edges: [number, number, number][] = [[0, 1, 16], [0, 2, 13], [2, 1, 4], [1, 3, 12], [3, 2, 9], [2, 4, 14], [4, 3, 7], [3, 5, 20], [4, 5, 4]];
    const g = new FlowNetwork(6);
    for (const [u, v, c] of edges) g.addEdge(u, v, c);
    assert.equal(g.maxFlow(0, 5), 23);
    assert.equal(bruteForceMinCut(6, edges, 0, 5), 23);
    assert.equal(g.maxFlow(0, 5), 23, "the network is unchanged by a query");
    assert.equal(g.maxFlow(5, 0), 0);
  });

  test("random real-capacity graphs agree with the brute-force min cut", () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const nodes = 7;
      const edges: [number, number, number][] = [];
      for (let u = 0; u < nodes; u++) for (let v = 0; v < nodes; v++) if (u !== v && random() < 0.4) edges.push([u, v, random()]);
      const g = new FlowNetwork(nodes);
      for (const [u, v, c] of edges) g.addEdge(u, v, c);
      assertClose(g.maxFlow(0, nodes - 1), bruteForceMinCut(nodes, edges, 0, nodes - 1), 1e-9, `trial ${trial}`);
    }
  });

  test("errors name the bad node or capacity", () => {
    const g = new FlowNetwork(2);
    assert.throws(() => g.addEdge(0, 2, 1), /to node 2 is not in \[0, 2\)/);
    assert.throws(() => g.addEdge(0, 1, -1), /capacity -1 of 0→1/);
    assert.throws(() => g.maxFlow(1, 1), ValueError);
  });
});

describe("analysis/attention flow", () => {
  test("one layer: the flow from output i to input j is the single edge Ã[i][j]", () => {
    const random = seededRandom(3);
    const weights = [[f32(randomAttention(3, random))]];
    const maps = createAttentionMaps({ weights, keyTokens: ["a", "b", "c"] });
    const { flow, normalized } = attentionFlow(maps);
    const a = augmented(weights[0]!);
    flat(flow, 3).forEach((row, i) => row.forEach((x, j) => assertClose(x, a[i]![j]!, 1e-12, `flow[${i}][${j}]`)));
    flat(normalized, 3).forEach((row, i) => row.forEach((x, j) => assertClose(x, a[i]![j]!, 1e-12, `normalised[${i}][${j}]`)));
  });

  test("two layers, three tokens: every flow equals the brute-force min cut of the layered graph", () => {
    const random = seededRandom(11);
    const weights = [[randomAttention(3, random), randomAttention(3, random)], [randomAttention(3, random), randomAttention(3, random)]].map((l) => l.map(f32));
    const maps = createAttentionMaps({ weights, keyTokens: ["a", "b", "c"] });
    const { flow, normalized } = attentionFlow(maps);
    // Node l·3 + j is token j after layer l; edges run from (l, i) down to (l − 1, j) with capacity Ã_l[i][j].
    const edges: [number, number, number][] = [];
    weights.map(augmented).forEach((a, index) => {
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) edges.push([(index + 1) * 3 + i, index * 3 + j, a[i]![j]!]);
    });
    for (let i = 0; i < 3; i++) {
      const expected = [0, 1, 2].map((j) => bruteForceMinCut(9, edges, 6 + i, j));
      const sum = expected.reduce((s, x) => s + x, 0);
      for (let j = 0; j < 3; j++) {
        assertClose(flow[i * 3 + j]!, expected[j]!, 1e-9, `flow[${i}][${j}]`);
        assertClose(normalized[i * 3 + j]!, expected[j]! / sum, 1e-9, `normalised[${i}][${j}]`);
      }
    }
  });

  test("throughLayer 1 of a two-layer model is the one-layer flow of its first layer", () => {
    const random = seededRandom(13);
    const weights = [[f32(randomAttention(4, random))], [f32(randomAttention(4, random))]];
    const tokens = ["a", "b", "c", "d"];
    const two = createAttentionMaps({ weights, keyTokens: tokens });
    const one = createAttentionMaps({ weights: [weights[0]!], keyTokens: tokens });
    assert.deepEqual(attentionFlow(two, { throughLayer: 1 }), attentionFlow(one));
    assert.notDeepEqual(attentionFlow(two).flow, attentionFlow(one).flow);
    assert.throws(() => attentionFlow(two, { throughLayer: 3 }), /throughLayer must be an integer in \[1, 2\], got 3/);
  });

  test("refuses inputs too long for n² max-flow problems", () => {
    const n = 50;
    const row = Array.from({ length: n }, () => 1 / n);
    const maps = createAttentionMaps({ weights: Array.from({ length: 4 }, () => [Array.from({ length: n }, () => row)]), keyTokens: Array.from({ length: n }, (_, i) => `t${i}`) });
    assert.throws(() => attentionFlow(maps), /50 tokens × 4 layers needs 2500 max-flow problems/);
  });
});
