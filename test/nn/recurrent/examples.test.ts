/**
 * The recurrent examples, run small: examples/char-lstm.ts must beat the unigram baseline on held-out
 * text; examples/long-range-memory.ts is checked on its gradient-norm contrast at initialisation
 * (training both models to the accuracy contrast takes minutes, so that part runs by hand:
 * `npx tsx examples/long-range-memory.ts`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { main as charLstm } from "../../../examples/char-lstm.js";
import { main as longRange } from "../../../examples/long-range-memory.js";

test("examples/char-lstm.ts: 60 TBPTT steps beat the unigram baseline by 0.2 nats/char on validation text", () => {
  const r = charLstm({
    steps: 60, hidden: 64, seqLen: 32, batch: 16, trainChars: 100_000, validChars: 4_000, sampleLength: 40, verbose: false,
  });
  assert.ok(r.unigramLoss > 2.5 && r.unigramLoss < 3.5, `unigram ${r.unigramLoss}`);
  assert.ok(r.validationLoss < r.unigramLoss - 0.2, `validation ${r.validationLoss} vs unigram ${r.unigramLoss}`);
  assert.equal([...r.sample].length, 4 + 40);
  assert.ok(r.sample.startsWith("The "));
});

test("examples/long-range-memory.ts: ‖∂L/∂h_0‖ vanishes for the RNN, not for the LSTM (100 steps)", () => {
  const r = longRange({ steps: 0, length: 100, verbose: false });
  const T = 100;
  const ratio = (n: number[]) => (n[0] as number) / (n[T - 1] as number);
  assert.equal(r.rnn.gradNorms.length, T);
  assert.ok(ratio(r.rnn.gradNorms) < 1e-10, `RNN ratio ${ratio(r.rnn.gradNorms)}`);
  assert.ok(ratio(r.lstm.gradNorms) > 1e-3, `LSTM ratio ${ratio(r.lstm.gradNorms)}`);
});

test("examples/long-range-memory.ts: after 300 steps the LSTM remembers the first of 100 tokens, the plain RNN stays near chance", () => {
  const r = longRange({ verbose: false });
  assert.equal(r.chance, 0.25);
  assert.ok(r.lstm.accuracy >= 0.95, `LSTM accuracy ${r.lstm.accuracy}`);
  assert.ok(r.rnn.accuracy <= 0.4, `RNN accuracy ${r.rnn.accuracy}`);
});
