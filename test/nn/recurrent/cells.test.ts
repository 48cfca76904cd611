/** Cells: parameter names/shapes/init as PyTorch, gradchecks of every variant through the module, batching. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, ValueError, autograd, manualSeed, nn, randn, type Tensor } from "../../../src/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

describe("recurrent cells", () => {
  test("parameter names and shapes follow torch.nn.*Cell; init within ±1/√H", () => {
    manualSeed(0);
    const lstm = new nn.LSTMCell(5, 4);
    assert.deepEqual(lstm.namedParameters().map(([k, p]) => [k, [...p.shape]]), [
      ["weight_ih", [16, 5]], ["weight_hh", [16, 4]], ["bias_ih", [16]], ["bias_hh", [16]],
    ]);
    assert.deepEqual(new nn.GRUCell(5, 4, { bias: false }).namedParameters().map(([k, p]) => [k, [...p.shape]]), [
      ["weight_ih", [12, 5]], ["weight_hh", [12, 4]],
    ]);
    const variant = new nn.LSTMCell(5, 4, { projSize: 2, peephole: true, coupledInputForget: true });
    assert.deepEqual(variant.namedParameters().map(([k, p]) => [k, [...p.shape]]), [
      ["weight_ih", [12, 5]], ["weight_hh", [12, 2]], ["bias_ih", [12]], ["bias_hh", [12]], ["weight_hr", [2, 4]], ["weight_ch", [2, 4]],
    ]);
    for (const p of lstm.parameters()) {
      const v = p.toTypedArray();
      assert.ok(v.every((x) => Math.abs(x) <= 0.5), "U(−1/√4, 1/√4)");
      assert.ok(Math.max(...v) - Math.min(...v) > 0.5, "spread over the range");
    }
  });

  const lstmVariants: [string, nn.LSTMCellOptions][] = [
    ["plain", {}], ["peephole", { peephole: true }], ["coupled", { coupledInputForget: true }], ["proj", { projSize: 2 }],
    ["peephole+coupled+proj", { peephole: true, coupledInputForget: true, projSize: 2 }],
  ];
  for (const [name, options] of lstmVariants) {
    test(`LSTMCell gradcheck (${name}) over two steps, inputs and parameters`, () => {
      manualSeed(5);
      const cell = new nn.LSTMCell(3, 4, { ...options, dtype: "float64" });
      const P = cell.outputSize;
      const x = randn([2, 3], f64);
      const h0 = randn([2, P], f64);
      const c0 = randn([2, 4], f64);
      const params = cell.parameters();
      assert.ok(autograd.gradcheck((xx, hh, cc) => {
        const s1 = cell.forward(xx, [hh, cc] as const);
        const s2 = cell.forward(xx.mul(0.5), s1);
        return [s2[0], s2[1]];
      }, [x, h0, c0, ...params]));
    });
  }

  test("GRUCell and RNNCell (tanh, relu) gradchecks", () => {
    manualSeed(6);
    const cells: [string, nn.GRUCell | nn.RNNCell][] = [
      ["gru", new nn.GRUCell(3, 4, { dtype: "float64" })],
      ["rnn tanh", new nn.RNNCell(3, 4, { dtype: "float64" })],
      ["rnn relu", new nn.RNNCell(3, 4, { dtype: "float64", nonlinearity: "relu" })],
    ];
    for (const [name, cell] of cells) {
      const x = randn([2, 3], f64);
      const h0 = randn([2, 4], f64);
      assert.ok(autograd.gradcheck((xx, hh) => cell.forward(xx, cell.forward(xx, hh)), [x, h0, ...cell.parameters()]), name);
    }
  });

  test("unbatched input gives unbatched state; missing state is zeros", () => {
    manualSeed(7);
    const cell = new nn.LSTMCell(3, 4);
    const x = randn([3]);
    const [h, c] = cell.forward(x);
    assert.deepEqual([...h.shape], [4]);
    assert.deepEqual([...c.shape], [4]);
    const [hb] = cell.forward(x.unsqueeze(0), [randn([1, 4]).mul(0), randn([1, 4]).mul(0)] as const);
    assert.deepEqual([...hb.toTypedArray()], [...h.toTypedArray()]);
  });

  test("errors: wrong input or state shape, bad options", () => {
    const cell = new nn.GRUCell(3, 4);
    assert.throws(() => cell.forward(randn([2, 5])), ShapeError);
    assert.throws(() => cell.forward(randn([2, 3]), randn([3, 4])), ShapeError);
    assert.throws(() => new nn.LSTMCell(3, 4, { projSize: 4 }), ValueError);
    assert.throws(() => new nn.RNNCell(3, 4, { nonlinearity: "sigmoid" as unknown as "tanh" }), ValueError);
  });

  test("a float32 cell trains a step without NaN", () => {
    manualSeed(8);
    const cell = new nn.LSTMCell(3, 4);
    const [h] = cell.forward(randn([2, 3]));
    (h as Tensor).sum().backward();
    for (const p of cell.parameters()) assert.ok(p.grad !== null && p.grad.toTypedArray().every(Number.isFinite));
  });
});
