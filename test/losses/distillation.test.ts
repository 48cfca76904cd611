/**
 * distillationLoss: a float64 gradient check against central differences (student logits and hidden
 * states, every term on, a padding mask), a comparison with a direct computation in plain arithmetic
 * (softmaxes, KL, cross-entropy and cosines written out by hand), the teacher receiving no gradient,
 * and named errors for missing or misshapen inputs. (Parity with PyTorch's KLDivLoss/CosineEmbeddingLoss
 * on a real student is in test/models/distilbert/parity.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, ValueError, autograd, manualSeed, randn, tensor, type Tensor } from "../../src/index.js";
import { distillationLoss } from "../../src/losses/index.js";

const B = 2;
const T = 3;
const V = 5;
const C = 4;
const mask = (): Tensor => tensor([[1, 1, 1], [1, 1, 0]], { dtype: "int32" });
const labels = (): Tensor => tensor([[-100, 2, -100], [4, -100, -100]], { dtype: "int32" });

test("distillationLoss: gradcheck (float64) of the full loss in student logits and hidden states", () => {
  manualSeed(3);
  const s = randn([B, T, V], { dtype: "float64", requiresGrad: true });
  const h = randn([B, T, C], { dtype: "float64", requiresGrad: true });
  const t = randn([B, T, V], { dtype: "float64" });
  const ht = randn([B, T, C], { dtype: "float64" });
  assert.equal(autograd.gradcheck((a, b) => distillationLoss({
    studentLogits: a, teacherLogits: t, labels: labels(), studentHidden: b, teacherHidden: ht, mask: mask(),
  }, { temperature: 1.7, alphaCe: 0.6, alphaMlm: 0.3, alphaCos: 0.9 }).loss, [s, h]), true);
});

test("distillationLoss equals a direct computation; the teacher gets no gradient", () => {
  manualSeed(4);
  const s = randn([B, T, V], { dtype: "float64", requiresGrad: true });
  const t = randn([B, T, V], { dtype: "float64", requiresGrad: true });
  const hs = randn([B, T, C], { dtype: "float64" });
  const ht = randn([B, T, C], { dtype: "float64", requiresGrad: true });
  const [temp, aCe, aMlm, aCos] = [2, 5, 2, 1];
  const out = distillationLoss({ studentLogits: s, teacherLogits: t, labels: labels(), studentHidden: hs, teacherHidden: ht, mask: mask() }, { temperature: temp, alphaCe: aCe, alphaMlm: aMlm, alphaCos: aCos });
  const S = [...s.toTypedArray()] as number[];
  const Tt = [...t.toTypedArray()] as number[];
  const HS = [...hs.toTypedArray()] as number[];
  const HT = [...ht.toTypedArray()] as number[];
  const M = [1, 1, 1, 1, 1, 0];
  const Y = [-100, 2, -100, 4, -100, -100];
  const softmax = (row: number[]): number[] => {
    const m = Math.max(...row);
    const e = row.map((x) => Math.exp(x - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  };
  let kl = 0;
  let cos = 0;
  let ce = 0;
  let predicted = 0;
  for (let n = 0; n < B * T; n++) {
    const sRow = S.slice(n * V, (n + 1) * V);
    const tRow = Tt.slice(n * V, (n + 1) * V);
    if (M[n] === 1) {
      const p = softmax(tRow.map((x) => x / temp));
      const q = softmax(sRow.map((x) => x / temp));
      kl += p.reduce((acc, pi, i) => acc + pi * Math.log(pi / (q[i] as number)), 0);
      const a = HS.slice(n * C, (n + 1) * C);
      const b = HT.slice(n * C, (n + 1) * C);
      const dot = a.reduce((acc, x, i) => acc + x * (b[i] as number), 0);
      const na = a.reduce((acc, x) => acc + x * x, 0);
      const nb = b.reduce((acc, x) => acc + x * x, 0);
      cos += 1 - dot / Math.sqrt((na + 1e-12) * (nb + 1e-12));
    }
    const y = Y[n] as number;
    if (y !== -100) {
      ce -= Math.log(softmax(sRow)[y] as number);
      predicted++;
    }
  }
  const expCe = (temp * temp * kl) / 5;
  const expCos = cos / 5;
  const expMlm = ce / predicted;
  const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  close((out.ce as Tensor).item(), expCe, "ce");
  close((out.cos as Tensor).item(), expCos, "cos");
  close((out.mlm as Tensor).item(), expMlm, "mlm");
  close(out.loss.item(), aCe * expCe + aMlm * expMlm + aCos * expCos, "loss");
  out.loss.backward();
  assert.ok(s.grad !== null);
  assert.equal(t.grad, null);
  assert.equal(ht.grad, null);
  // A zero weight leaves its term out (and needs none of its inputs).
  const onlySoft = distillationLoss({ studentLogits: s, teacherLogits: t }, { alphaMlm: 0, alphaCos: 0, temperature: 1 });
  assert.equal(onlySoft.mlm, null);
  assert.equal(onlySoft.cos, null);
});

test("distillationLoss bad input: missing labels or hidden states, mismatched shapes and weights are named errors", () => {
  const s = randn([B, T, V]);
  assert.throws(() => distillationLoss({ studentLogits: s, teacherLogits: randn([B, T, V + 1]) }), (e: Error) => e instanceof ShapeError && /studentLogits \[2,3,5\] and teacherLogits \[2,3,6\] differ/.test(e.message));
  assert.throws(() => distillationLoss({ studentLogits: s, teacherLogits: s }), (e: Error) => e instanceof ValueError && /alphaMlm > 0 needs labels/.test(e.message));
  assert.throws(() => distillationLoss({ studentLogits: s, teacherLogits: s, labels: labels() }), /alphaCos > 0 needs studentHidden and teacherHidden/);
  assert.throws(() => distillationLoss({ studentLogits: s, teacherLogits: s }, { temperature: 0 }), /temperature must be a positive number, got 0/);
  assert.throws(() => distillationLoss({ studentLogits: s, teacherLogits: s }, { alphaCe: 0, alphaMlm: 0, alphaCos: 0 }), /every weight is 0/);
  assert.throws(() => distillationLoss({ studentLogits: s, teacherLogits: s, mask: tensor([1, 0]) }, { alphaMlm: 0, alphaCos: 0 }), /mask \[2\] must have one entry per position \(6\)/);
});
