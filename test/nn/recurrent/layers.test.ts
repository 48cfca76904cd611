/**
 * Layers: float64 gradchecks (multi-layer, bidirectional, variable lengths, every LSTM variant),
 * variable lengths against running each sequence alone, masks, dropout, layouts and errors.
 * PyTorch parity is in torch-reference.test.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, ValueError, autograd, manualSeed, nn, ops, randn, tensor, type Tensor } from "../../../src/index.js";
import { assertAllClose } from "../helpers.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

type Layer = nn.RNN | nn.GRU | nn.LSTM;

/** Output, h_n and (LSTM) c_n. */
function runLayer(m: Layer, x: Tensor, h0: Tensor | null, c0: Tensor | null, seq: nn.SequenceOptions = {}): Tensor[] {
  if (m instanceof nn.LSTM) {
    const [o, [h, c]] = m.forward(x, h0 && c0 ? [h0, c0] : null, seq);
    return [o, h, c];
  }
  const [o, h] = m.forward(x, h0, seq);
  return [o, h];
}

const layers: [string, () => Layer][] = [
  ["RNN tanh", () => new nn.RNN(3, 4, { numLayers: 2, bidirectional: true, dtype: "float64" })],
  ["RNN relu", () => new nn.RNN(3, 4, { numLayers: 2, bidirectional: true, nonlinearity: "relu", dtype: "float64" })],
  ["GRU", () => new nn.GRU(3, 4, { numLayers: 2, bidirectional: true, dtype: "float64" })],
  ["LSTM", () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, dtype: "float64" })],
  ["LSTM proj", () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, projSize: 2, dtype: "float64" })],
  ["LSTM peephole", () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, peephole: true, dtype: "float64" })],
  ["LSTM coupled", () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, coupledInputForget: true, dtype: "float64" })],
];

function outSize(m: Layer): number {
  return m instanceof nn.LSTM ? m.outputSize : m.hiddenSize;
}

describe("recurrent layers", () => {
  for (const [name, make] of layers) {
    test(`${name}: gradcheck, 2 layers, bidirectional, lengths, initial states, every parameter`, () => {
      manualSeed(11);
      const m = make();
      const x = randn([4, 3, 3], f64);
      const h0 = randn([4, 3, outSize(m)], f64);
      const c0 = randn([4, 3, 4], f64);
      const lengths = [4, 1, 3];
      const inputs = m instanceof nn.LSTM ? [x, h0, c0] : [x, h0];
      assert.ok(autograd.gradcheck((xx, hh, cc) => runLayer(m, xx, hh, cc ?? null, { lengths }), [...inputs, ...m.parameters()]));
    });

    test(`${name}: each padded row equals that sequence run alone (packed semantics)`, () => {
      manualSeed(12);
      const m = make();
      const T = 5;
      const lengths = [5, 2, 3];
      const x = randn([T, 3, 3], { dtype: "float64" });
      const h0 = randn([4, 3, outSize(m)], { dtype: "float64" });
      const c0 = randn([4, 3, 4], { dtype: "float64" });
      const [out, h, c] = runLayer(m, x, h0, c0, { lengths });
      lengths.forEach((n, b) => {
        const xb = x.narrow(0, 0, n).narrow(1, b, 1);
        const [ob, hb, cb] = runLayer(m, xb, h0.narrow(1, b, 1), c0.narrow(1, b, 1));
        assertAllClose((out as Tensor).narrow(1, b, 1).narrow(0, 0, n), ob as Tensor, 1e-12, 1e-12, `${name} row ${b} output`);
        if (n < T) assert.ok((out as Tensor).narrow(1, b, 1).narrow(0, n, T - n).toTypedArray().every((v) => v === 0), "zero past the length");
        assertAllClose((h as Tensor).narrow(1, b, 1), hb as Tensor, 1e-12, 1e-12, `${name} row ${b} h_n`);
        if (c && cb) assertAllClose(c.narrow(1, b, 1), cb, 1e-12, 1e-12, `${name} row ${b} c_n`);
      });
    });
  }

  test("a [B, T] mask (true = real step) is the same as lengths; padding must come last", () => {
    manualSeed(13);
    const m = new nn.GRU(3, 4, { bidirectional: true, batchFirst: true });
    const x = randn([2, 4, 3]);
    const mask = tensor([[1, 1, 1, 0], [1, 1, 0, 0]]).ne(0);
    const [a, ha] = m.forward(x, null, { mask });
    const [b, hb] = m.forward(x, null, { lengths: [3, 2] });
    assert.deepEqual([...a.toTypedArray()], [...b.toTypedArray()]);
    assert.deepEqual([...ha.toTypedArray()], [...hb.toTypedArray()]);
    assert.throws(() => m.forward(x, null, { mask: tensor([[1, 0, 1, 0], [1, 1, 0, 0]]).ne(0) }), ValueError);
    assert.throws(() => m.forward(x, null, { lengths: [5, 2] }), ValueError);
  });

  test("batchFirst is the transpose of the time-major layout; states stay [L·D, B, H]", () => {
    manualSeed(14);
    const a = new nn.LSTM(3, 4, { numLayers: 2 });
    const b = new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true });
    b.loadStateDict(a.stateDict());
    const x = randn([5, 2, 3]);
    const [oa, [ha]] = a.forward(x);
    const [ob, [hb]] = b.forward(x.transpose(0, 1));
    assert.deepEqual([...ob.shape], [2, 5, 4]);
    assertAllClose(ob.transpose(0, 1), oa, 0, 0, "output");
    assertAllClose(hb, ha, 0, 0, "h_n");
  });

  test("unbatched [T, in] input", () => {
    manualSeed(15);
    const m = new nn.GRU(3, 4, { numLayers: 2 });
    const x = randn([5, 3]);
    const [o, h] = m.forward(x);
    assert.deepEqual([...o.shape], [5, 4]);
    assert.deepEqual([...h.shape], [2, 4]);
    const [ob] = m.forward(x.unsqueeze(1));
    assertAllClose(o, ob.squeeze(1), 0, 0, "output");
  });

  test("dropout between layers: training only, reproducible by seed, not after the last layer", () => {
    const m = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = randn([5, 2, 3]);
    manualSeed(16);
    const [a] = m.forward(x);
    manualSeed(16);
    const [b] = m.forward(x);
    manualSeed(17);
    const [c] = m.forward(x);
    assert.deepEqual([...a.toTypedArray()], [...b.toTypedArray()]);
    assert.notDeepEqual([...a.toTypedArray()], [...c.toTypedArray()]);
    m.eval();
    const [e1] = m.forward(x);
    const [e2] = m.forward(x);
    assert.deepEqual([...e1.toTypedArray()], [...e2.toTypedArray()]);
    const single = new nn.LSTM(3, 4, { numLayers: 1, dropout: 0.5 });
    manualSeed(1);
    const [s1] = single.forward(x);
    manualSeed(2);
    const [s2] = single.forward(x);
    assert.deepEqual([...s1.toTypedArray()], [...s2.toTypedArray()]);
  });

  test("parameter names follow torch.nn.LSTM, with _reverse and weight_hr", () => {
    const m = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, projSize: 2 });
    const names = m.namedParameters().map(([k, p]) => `${k}:${p.shape.join("x")}`);
    assert.deepEqual(names.slice(0, 10), [
      "weight_ih_l0:16x3", "weight_hh_l0:16x2", "bias_ih_l0:16", "bias_hh_l0:16", "weight_hr_l0:2x4",
      "weight_ih_l0_reverse:16x3", "weight_hh_l0_reverse:16x2", "bias_ih_l0_reverse:16", "bias_hh_l0_reverse:16", "weight_hr_l0_reverse:2x4",
    ]);
    assert.equal(names[10], "weight_ih_l1:16x4");
  });

  test("errors: wrong input size, wrong state shape", () => {
    const m = new nn.RNN(3, 4, { numLayers: 2 });
    assert.throws(() => m.forward(randn([5, 2, 4])), ShapeError);
    assert.throws(() => m.forward(randn([5, 2, 3]), randn([1, 2, 4])), ShapeError);
    assert.throws(() => new nn.GRU(3, 4, { numLayers: 0 }), ValueError);
  });

  test("float32 forward agrees with float64 to float32 precision", () => {
    manualSeed(18);
    const m = new nn.LSTM(3, 8, { numLayers: 2, bidirectional: true });
    const x = randn([6, 2, 3]);
    const [o32] = m.forward(x);
    m.to("float64");
    const [o64] = m.forward(ops.to(x, "float64"));
    assertAllClose(o32, o64, 1e-4, 1e-5, "float32 vs float64");
  });
});
