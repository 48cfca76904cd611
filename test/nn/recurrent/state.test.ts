/** detachState and truncated BPTT: chunked runs with carried state equal one run; gradients stop at the cut. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, losses, manualSeed, nn, optim, randn } from "../../../src/index.js";
import { assertAllClose } from "../helpers.js";

describe("truncated BPTT", () => {
  test("detachState keeps values and drops the graph, for h and for (h, c)", () => {
    manualSeed(21);
    const lstm = new nn.LSTM(3, 4);
    const [, state] = lstm.forward(randn([5, 2, 3]));
    assert.ok(state[0].requiresGrad && state[1].requiresGrad);
    const d = nn.detachState(state);
    assert.equal(d.length, 2);
    d.forEach((t, i) => {
      assert.equal(t.requiresGrad, false);
      assert.equal(t.gradFn, null);
      assert.deepEqual([...t.toTypedArray()], [...(state[i] as Tensor).toTypedArray()]);
    });
    const gru = new nn.GRU(3, 4);
    const [, h] = gru.forward(randn([5, 2, 3]));
    assert.equal(nn.detachState(h).requiresGrad, false);
  });

  test("chunks with carried state reproduce the whole sequence; gradients stop at the chunk boundary", () => {
    manualSeed(22);
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, dtype: "float64" });
    const x = randn([12, 2, 3], { dtype: "float64" });
    const [whole, [hWhole, cWhole]] = lstm.forward(x);
    let state: nn.LSTMState | null = null;
    const chunks: Tensor[] = [];
    const inputs: Tensor[] = [];
    for (let p = 0; p < 12; p += 4) {
      const xc = x.narrow(0, p, 4).contiguous();
      xc.requiresGrad = true;
      inputs.push(xc);
      const [out, next]: [Tensor, nn.LSTMState] = lstm.forward(xc, state);
      chunks.push(out);
      state = nn.detachState(next);
    }
    assertAllClose(chunks[2] as Tensor, whole.narrow(0, 8, 4), 1e-12, 1e-12, "last chunk output");
    assertAllClose((state as nn.LSTMState)[0], hWhole, 1e-12, 1e-12, "h_n");
    assertAllClose((state as nn.LSTMState)[1], cWhole, 1e-12, 1e-12, "c_n");
    (chunks[2] as Tensor).sum().backward();
    assert.equal(inputs[0]?.grad, null, "no gradient reaches an earlier chunk");
    assert.ok(inputs[2]?.grad !== null);
    // Without the cut, the same loss does reach the first steps.
    const xl = x.detach();
    xl.requiresGrad = true;
    lstm.forward(xl)[0].narrow(0, 8, 4).sum().backward();
    assert.ok((xl.grad as Tensor).narrow(0, 0, 4).abs().sum().item() > 0);
  });

  test("training over a long sequence in chunks with carried, detached state lowers the loss", () => {
    manualSeed(23);
    // Next-value prediction on a 600-step signal, 20 steps per chunk: the state carries the phase.
    const N = 600;
    const signal = Float32Array.from({ length: N + 1 }, (_, t) => Math.sin(0.3 * t) + 0.5 * Math.sin(0.11 * t));
    const gru = new nn.GRU(1, 16);
    const head = new nn.Linear(16, 1);
    const params = [...gru.parameters(), ...head.parameters()];
    const opt = new optim.Adam(params, { lr: 0.02 });
    const lossAt: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      let state: Tensor | null = null;
      let sum = 0;
      for (let p = 0; p < N; p += 20) {
        const x = new Tensor(signal.slice(p, p + 20), [20, 1, 1]);
        const y = new Tensor(signal.slice(p + 1, p + 21), [20, 1, 1]);
        const [out, h]: [Tensor, Tensor] = gru.forward(x, state);
        const loss = losses.mseLoss(head.forward(out), y);
        opt.zeroGrad();
        loss.backward();
        optim.clipGradNorm(params, 1);
        opt.step();
        state = nn.detachState(h);
        sum += loss.item();
      }
      lossAt.push(sum / (N / 20));
    }
    assert.ok((lossAt[2] as number) < 0.25 * (lossAt[0] as number), `epoch losses ${lossAt.join(", ")}`);
  });
});
