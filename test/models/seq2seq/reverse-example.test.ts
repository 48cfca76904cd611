/**
 * Runs examples/seq2seq-reverse.ts's main() with its defaults (Bahdanau attention, GRU 32, 300 steps
 * of 32 strings, 200 held-out strings): reversal reaches ≥ 98% exact match (99.5% for seed 0; 99–100%
 * over seeds 0–2). Attention: most output digits attend most to the digit they copy (~1/10 by chance).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../../examples/seq2seq-reverse.js";

test("examples/seq2seq-reverse.ts: reverses ≥ 98% of held-out digit strings (length 5–15) exactly", () => {
  const result = main({ seed: 0 });
  assert.equal(result.task, "reverse");
  assert.ok(result.accuracy >= 0.98, `exact match ${result.accuracy} (mistakes: ${JSON.stringify(result.mistakes)})`);
  assert.ok(result.finalLoss < 0.2, `final loss ${result.finalLoss}`);
  assert.ok(result.attentionAlignment !== null && result.attentionAlignment > 0.4, `alignment ${result.attentionAlignment}`);
});
