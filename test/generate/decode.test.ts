/**
 * Greedy decoding and beam search through the one decoder-step interface (`decode`), on hand-made
 * tables whose best sequences are known by enumeration.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator } from "../../src/index.js";
import {
  type DecodeResult, type DecoderStep, type LengthPenaltyKind, beamSearch as beamSearchSteps, decode, lengthPenalty, resolveGenerateOptions,
} from "../../src/generate/index.js";
import { enumerate, tableStep } from "./table-decoder.js";

interface LengthPenalty {
  kind: LengthPenaltyKind;
  alpha: number;
}

/** Greedy decoding of `rows` start rows, or beam search with beamSize beams, as Seq2Seq decodes (stop at EOS, exact stopping). */
function greedySearch(step: DecoderStep, rows: number, o: { bosId: number; eosId: number; maxLength: number }): DecodeResult[] {
  return decode(step, Array.from({ length: rows }, () => [o.bosId]), 6, { temperature: 0, maxNewTokens: o.maxLength, stopIds: [o.eosId] });
}
function beamSearch(step: DecoderStep, o: { bosId: number; eosId: number; maxLength: number; beamSize: number; lengthPenalty?: LengthPenalty }): DecodeResult[] {
  const p = o.lengthPenalty ?? { kind: "power", alpha: 0 };
  // beamSearch itself (decode takes numBeams 1 for greedy decoding), to check beam size 1 as well.
  return beamSearchSteps(step, [o.bosId], resolveGenerateOptions({
    numBeams: o.beamSize, maxNewTokens: o.maxLength, stopIds: [o.eosId], lengthPenalty: p.alpha, lengthPenaltyKind: p.kind, earlyStopping: "never",
  }, 6));
}

// Tokens: 0 = EOS, 1 = "a", 2 = "b", 3 = BOS (never predicted).
const EOS = 0;
const BOS = 3;
const search = { bosId: BOS, eosId: EOS, maxLength: 6 };

/** Greedy takes "a" (0.6) and then has only 0.35-probability continuations; "b EOS" has 0.4·0.9. */
function foolsGreedy(prefix: readonly number[]): number[] {
  const key = prefix.join("");
  if (key === "") return [0, 0.6, 0.4, 0];
  if (key === "1") return [0.3, 0.35, 0.35, 0];
  if (key === "2") return [0.9, 0.05, 0.05, 0];
  return [1, 0, 0, 0];
}

/** [EOS] has the best total log-probability; "a a a EOS" the best per token. */
function shortVersusLong(prefix: readonly number[]): number[] {
  const key = prefix.join("");
  if (key === "") return [0.5, 0.5, 0, 0];
  if (key === "1" || key === "11") return [0.1, 0.9, 0, 0];
  if (key === "111") return [0.9, 0.1, 0, 0];
  return [1, 0, 0, 0];
}

function best(table: (p: readonly number[]) => number[], penalty: LengthPenalty): { tokens: number[]; normalized: number } {
  const all = enumerate(table, EOS, search.maxLength).map((h) => ({ tokens: h.tokens, normalized: h.score / lengthPenalty(h.tokens.length, penalty.alpha, penalty.kind) }));
  return all.reduce((a, b) => (b.normalized > a.normalized ? b : a));
}

test("beam search finds the higher-scoring sequence that greedy misses", () => {
  const dec = tableStep(4, foolsGreedy);
  const [greedy] = greedySearch(dec, 1, search);
  assert.deepEqual(greedy!.tokens, [1, 1, EOS]);
  const beams = beamSearch(dec, { ...search, beamSize: 2 });
  const optimum = best(foolsGreedy, { kind: "power", alpha: 0 });
  assert.deepEqual(beams[0]!.tokens, optimum.tokens);
  assert.ok(beams[0]!.score > greedy!.score + 0.1, `${beams[0]!.score} vs ${greedy!.score}`);
  assert.ok(Math.abs(beams[0]!.score - optimum.normalized) < 1e-12);
  // Finished hypotheses come best first.
  for (let i = 1; i < beams.length; i++) assert.ok(beams[i - 1]!.normalizedScore >= beams[i]!.normalizedScore);
});

test("length normalisation changes the choice as its penalty says (power and GNMT)", () => {
  const dec = tableStep(4, shortVersusLong);
  const cases: LengthPenalty[] = [
    { kind: "power", alpha: 0 }, { kind: "power", alpha: 1 }, { kind: "gnmt", alpha: 0.5 }, { kind: "gnmt", alpha: 1 },
  ];
  const chosen = cases.map((penalty) => {
    const [top] = beamSearch(dec, { ...search, beamSize: 2, lengthPenalty: penalty });
    const optimum = best(shortVersusLong, penalty);
    assert.deepEqual(top!.tokens, optimum.tokens, `${penalty.kind} α=${penalty.alpha}`);
    assert.ok(Math.abs(top!.normalizedScore - optimum.normalized) < 1e-12);
    return top!.tokens.length;
  });
  // Raw scores prefer the 1-token output, α = 1 the 4-token one; GNMT's gentler penalty at α = 0.5 does not.
  assert.deepEqual(chosen, [1, 4, 1, 4]);
});

test("beam size 1 equals greedy search (α = 0) on random Markov tables", () => {
  const gen = new Generator(7);
  for (let trial = 0; trial < 20; trial++) {
    const table = new Map<string, number[]>();
    const probs = (prefix: readonly number[]): number[] => {
      const key = prefix.join(",");
      let p = table.get(key);
      if (!p) {
        const w = [0, 1, 2, 3, 4].map(() => gen.random() ** 2);
        w[5] = 0; // BOS
        const z = w.reduce((a, b) => a + b, 0);
        p = w.map((x) => x / z);
        table.set(key, p);
      }
      return p;
    };
    const dec = tableStep(6, probs);
    const opts = { bosId: 5, eosId: 0, maxLength: 8 };
    const [g] = greedySearch(dec, 1, opts);
    const [b] = beamSearch(dec, { ...opts, beamSize: 1 });
    assert.deepEqual(b!.tokens, g!.tokens);
    assert.ok(Math.abs(b!.score - g!.score) < 1e-12);
  }
});

test("maxLength cuts hypotheses that never emit EOS", () => {
  const never = (): number[] => [0, 0.5, 0.5, 0];
  const beams = beamSearch(tableStep(4, never), { ...search, maxLength: 3, beamSize: 3 });
  assert.equal(beams.length, 3);
  for (const h of beams) assert.equal(h.tokens.length, 3);
  const [g] = greedySearch(tableStep(4, never), 1, { ...search, maxLength: 3 });
  assert.deepEqual(g!.tokens, [1, 1, 1]);
});

test("greedy search decodes a batch, each row stopping at its own EOS", () => {
  const dec = tableStep(4, (prefix) => (prefix.length >= 2 ? [1, 0, 0, 0] : [0, 0.2, 0.8, 0]));
  const out = greedySearch(dec, 2, search);
  assert.deepEqual(out.map((h) => h.tokens), [[2, 2, EOS], [2, 2, EOS]]);
});
