/** recordStepGradNorms against per-step hidden states with retainGrad() through the cells. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, manualSeed, nn, ops, randn } from "../../../src/index.js";

describe("recordStepGradNorms", () => {
  test("‖∂L/∂h_t‖ from the layer equals the cell unrolled with retainGrad on every h_t", () => {
    manualSeed(31);
    const T = 7;
    const lstm = new nn.LSTM(3, 5, { dtype: "float64" });
    const cell = new nn.LSTMCell(3, 5, { dtype: "float64" });
    const sd = lstm.stateDict();
    cell.loadStateDict(new Map([...sd].map(([k, v]) => [k.replace("_l0", ""), v])));
    const x = randn([T, 2, 3], { dtype: "float64" });
    const u = randn([T, 2, 5], { dtype: "float64" });
    // Loss on every output, weighted, so each ∂L/∂h_t has a direct and a recurrent part.
    const [entry] = nn.recordStepGradNorms(() => {
      ops.sum(ops.mul(lstm.forward(x)[0], u)).backward();
    });
    assert.ok(entry);
    assert.equal(entry.label, "#0 l0");
    const hs: Tensor[] = [];
    let state: nn.LSTMState | null = null;
    let loss: Tensor | null = null;
    for (let t = 0; t < T; t++) {
      state = cell.forward(x.select(0, t), state);
      const h = state[0];
      h.retainGrad();
      hs.push(h);
      const term = ops.sum(ops.mul(h, u.select(0, t)));
      loss = loss === null ? term : ops.add(loss, term);
    }
    (loss as Tensor).backward();
    hs.forEach((h, t) => {
      const expected = Math.sqrt(ops.sum(ops.square(h.grad as Tensor)).item());
      assert.ok(Math.abs((entry.norms[t] as number) - expected) < 1e-10 * Math.max(1, expected), `t=${t}: ${entry.norms[t]} vs ${expected}`);
    });
  });

  test("one entry per layer and direction, indexed by time; nothing recorded outside the call", () => {
    manualSeed(32);
    const gru = new nn.GRU(3, 4, { numLayers: 2, bidirectional: true });
    const x = randn([6, 2, 3]);
    const entries = nn.recordStepGradNorms(() => {
      gru.forward(x)[0].select(0, 5).sum().backward();
    });
    assert.deepEqual(entries.map((e) => e.label), ["#0 l0", "#1 l0_reverse", "#2 l1", "#3 l1_reverse"]);
    // Top layer, forward direction: the loss sits at the last step, so the gradient is largest there.
    const top = entries[2]?.norms as Float64Array;
    assert.equal(top.length, 6);
    assert.ok((top[5] as number) > 0);
    assert.deepEqual(nn.recordStepGradNorms(() => undefined), []);
  });

  test("a tanh RNN's gradient vanishes over 40 steps; an LSTM with a remembering forget gate keeps it", () => {
    manualSeed(33);
    const T = 40;
    const x = randn([T, 4, 3]);
    const rnn = new nn.RNN(3, 16);
    const lstm = new nn.LSTM(3, 16);
    nn.init.constant((lstm.stateDict().get("bias_ih_l0") as Tensor).narrow(0, 16, 16), 5);
    const ratio = (m: nn.RNN | nn.LSTM): number => {
      const [e] = nn.recordStepGradNorms(() => {
        const out = m instanceof nn.LSTM ? m.forward(x)[0] : m.forward(x)[0];
        out.select(0, T - 1).sum().backward();
      });
      const n = e?.norms as Float64Array;
      return (n[0] as number) / (n[T - 1] as number);
    };
    const rnnRatio = ratio(rnn);
    const lstmRatio = ratio(lstm);
    assert.ok(rnnRatio < 1e-4, `RNN ‖∂L/∂h_0‖/‖∂L/∂h_T−1‖ = ${rnnRatio}`);
    assert.ok(lstmRatio > 1e-2, `LSTM ratio ${lstmRatio}`);
  });
});
