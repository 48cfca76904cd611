import { test } from "node:test";
import assert from "node:assert/strict";
import { autograd, manualSeed, randn, ShapeError } from "../../../src/index.js";
import { LuongAttention, type LuongScore } from "../../../src/models/seq2seq/luong-attention.js";
import { sourceMaskFromLengths } from "../../../src/models/seq2seq/masking.js";
import { assertClose, dotProduct, maskedSoftmaxRef, matVec, matrix } from "./attention-helpers.js";

const lengths = [4, 1, 3];

/** score(q, k) by loops from the layer's parameters, as Luong et al. eq. 8 writes it. */
function referenceScore(att: LuongAttention, q: number[], k: number[]): number {
  if (att.scoreName === "dot") return dotProduct(q, k);
  const w = matrix(att.linear_in!.weight);
  if (att.scoreName === "general") {
    // qᵀ W k with W = the stored [Dk, Dq] weight transposed, i.e. Σ_ij q_i W_ij k_j = Σ_ji w_ji q_i k_j.
    return dotProduct(matVec(w, q), k);
  }
  const b = att.linear_in!.bias!.toArray() as number[];
  const v = (att.energy!.weight.toArray() as number[][])[0]!;
  const hidden = matVec(w, [...q, ...k]).map((x, a) => Math.tanh(x + b[a]!));
  return dotProduct(v, hidden);
}

for (const score of ["dot", "general", "concat"] as LuongScore[]) {
  const dq = score === "dot" ? 4 : 3;

  test(`Luong ${score}: weights and context against a loop reference; zero on padding`, () => {
    manualSeed(10);
    const att = new LuongAttention(dq, 4, score, { dtype: "float64", attentionDim: 5 });
    const q = randn([3, dq], { dtype: "float64" });
    const k = randn([3, 4, 4], { dtype: "float64" });
    const { context, weights } = att.forward(q, k, sourceMaskFromLengths(lengths, 4));
    assert.deepEqual(context.shape, [3, 4]);
    assert.deepEqual(weights.shape, [3, 4]);
    const qs = matrix(q);
    const ks = k.toArray() as number[][][];
    for (let b = 0; b < 3; b++) {
      const scores = ks[b]!.map((kv) => referenceScore(att, qs[b]!, kv));
      const expected = maskedSoftmaxRef(scores, scores.map((_, s) => s < lengths[b]!));
      assertClose(matrix(weights)[b]!, expected, 1e-12, `weights row ${b}`);
      for (let s = lengths[b]!; s < 4; s++) assert.equal(matrix(weights)[b]![s], 0);
      const ctx = [0, 1, 2, 3].map((d) => expected.reduce((acc, e, s) => acc + e * ks[b]![s]![d]!, 0));
      assertClose(matrix(context)[b]!, ctx, 1e-12, `context row ${b}`);
    }
    // A source of length 1 puts all weight on its one token.
    assert.deepEqual(matrix(weights)[1], [1, 0, 0, 0]);
  });

  test(`Luong ${score}: gradcheck in float64 with a padding mask; padded keys get zero gradient`, () => {
    manualSeed(11);
    const att = new LuongAttention(dq, 4, score, { dtype: "float64", attentionDim: 3 });
    const q = randn([2, 2, dq], { dtype: "float64", requiresGrad: true });
    const k = randn([2, 3, 4], { dtype: "float64", requiresGrad: true });
    const mask = sourceMaskFromLengths([3, 2], 3);
    assert.ok(autograd.gradcheck((qq, kk) => {
      const { context, weights } = att.forward(qq, kk, mask);
      return [context, weights];
    }, [q, k]));
    const params = [...att.parameters()];
    if (params.length > 0) assert.ok(autograd.gradcheck(() => att.forward(q, k, mask).context, params));
    att.forward(q, k, mask).context.mul(randn([2, 2, 4], { dtype: "float64" })).sum().backward();
    const gk = k.grad!.toArray() as number[][][];
    assert.deepEqual(gk[1]![2], [0, 0, 0, 0]);
    assert.ok(gk[1]![1]!.some((x) => x !== 0));
    assert.ok(gk[0]![2]!.some((x) => x !== 0));
  });
}

test("Luong: dot needs equal sizes; parameter names", () => {
  assert.throws(() => new LuongAttention(3, 4, "dot"), ShapeError);
  assert.deepEqual([...new LuongAttention(3, 4, "general").namedParameters()].map(([n, p]) => `${n}:${p.shape.join("x")}`), ["linear_in.weight:4x3"]);
  assert.deepEqual([...new LuongAttention(3, 4, "concat", { attentionDim: 5 }).namedParameters()].map(([n, p]) => `${n}:${p.shape.join("x")}`), [
    "linear_in.weight:5x7", "linear_in.bias:5", "energy.weight:1x5",
  ]);
});
