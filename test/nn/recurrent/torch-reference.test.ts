/**
 * Recurrent cells and layers against PyTorch 1.13 (fixture: scripts/fixtures/recurrent.py): nn.RNN
 * (tanh, relu), nn.LSTM (with proj_size), nn.GRU — multi-layer, bidirectional, batch_first both ways,
 * with and without initial states, and packed variable lengths — plus the cells; the PyTorch state
 * dict loads into loom by name. Peephole and CIFG LSTMs against a step-by-step torch loop in the
 * fixture script. Outputs, final states and the gradients of every input and parameter, float64, to
 * 1e-5 relative.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type Tensor, nn, ops } from "../../../src/index.js";
import { type FixtureTensor, assertAllClose, fromFixture } from "../helpers.js";

interface Case {
  kind: "rnn" | "lstm" | "gru" | "rnn_cell" | "lstm_cell" | "gru_cell";
  options: Record<string, number | boolean | string>;
  state: Record<string, FixtureTensor>;
  inputs: Record<string, FixtureTensor>;
  lengths: number[] | null;
  outputs: Record<string, FixtureTensor>;
  upstream: Record<string, FixtureTensor>;
  grads: Record<string, FixtureTensor>;
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/recurrent/torch.json", import.meta.url), "utf8")) as { cases: Record<string, Case> };
const [RTOL, ATOL] = [1e-5, 1e-9];

type AnyRecurrent = nn.RNN | nn.LSTM | nn.GRU | nn.RNNCell | nn.LSTMCell | nn.GRUCell;

function build(c: Case): AnyRecurrent {
  const o = c.options;
  const input = o.input_size as number;
  const hidden = o.hidden_size as number;
  const common = {
    dtype: "float64" as const,
    numLayers: (o.num_layers as number | undefined) ?? 1,
    bias: (o.bias as boolean | undefined) ?? true,
    batchFirst: (o.batch_first as boolean | undefined) ?? false,
    bidirectional: (o.bidirectional as boolean | undefined) ?? false,
  };
  const nonlinearity = (o.nonlinearity as "tanh" | "relu" | undefined) ?? "tanh";
  switch (c.kind) {
    case "rnn": return new nn.RNN(input, hidden, { ...common, nonlinearity });
    case "gru": return new nn.GRU(input, hidden, common);
    case "lstm": return new nn.LSTM(input, hidden, {
      ...common,
      projSize: (o.proj_size as number | undefined) ?? 0,
      peephole: (o.peephole as boolean | undefined) ?? false,
      coupledInputForget: (o.coupled_input_forget as boolean | undefined) ?? false,
    });
    case "rnn_cell": return new nn.RNNCell(input, hidden, { dtype: "float64", bias: common.bias, nonlinearity });
    case "gru_cell": return new nn.GRUCell(input, hidden, { dtype: "float64", bias: common.bias });
    case "lstm_cell": return new nn.LSTMCell(input, hidden, { dtype: "float64", bias: common.bias });
  }
}

/** Runs the module; returns output, h_n and (LSTM) c_n as the fixture names them. */
function run(m: AnyRecurrent, ins: Record<string, Tensor>, lengths: number[] | null): Record<string, Tensor> {
  const x = ins.x as Tensor;
  const h0 = ins.h0 ?? null;
  const c0 = ins.c0 ?? null;
  const seq = lengths === null ? {} : { lengths };
  if (m instanceof nn.LSTM) {
    const [output, [h, c]] = m.forward(x, h0 && c0 ? [h0, c0] : null, seq);
    return { output, h_n: h, c_n: c };
  }
  if (m instanceof nn.RNN || m instanceof nn.GRU) {
    const [output, h] = m.forward(x, h0, seq);
    return { output, h_n: h };
  }
  if (m instanceof nn.LSTMCell) {
    const [h, c] = m.forward(x, h0 && c0 ? [h0, c0] : null);
    return { output: h, h_n: h, c_n: c };
  }
  const h = m.forward(x, h0);
  return { output: h, h_n: h };
}

describe("recurrent layers match PyTorch", () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    test(name, () => {
      const m = build(c);
      const state: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(c.state)) state[k] = fromFixture(t);
      m.loadStateDict(state); // strict: every PyTorch name must exist in loom and vice versa
      const ins: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(c.inputs)) ins[k] = fromFixture(t, "float64", true);
      const outs = run(m, ins, c.lengths);
      let loss: Tensor | null = null;
      for (const [k, expected] of Object.entries(c.outputs)) {
        const actual = outs[k] as Tensor;
        assertAllClose(actual, expected, RTOL, ATOL, `${name} ${k}`);
        const term = ops.sum(ops.mul(actual, fromFixture(c.upstream[k] as FixtureTensor)));
        loss = loss === null ? term : ops.add(loss, term);
      }
      (loss as Tensor).backward();
      const params = new Map(m.namedParameters());
      for (const [k, g] of Object.entries(c.grads)) {
        const t = ins[k] ?? params.get(k);
        assert.ok(t, `${name}: no tensor named ${k}`);
        assertAllClose(t.grad as Tensor, g, RTOL, ATOL, `${name} grad ${k}`);
      }
    });
  }
});
