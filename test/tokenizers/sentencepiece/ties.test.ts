/**
 * Unigram ties: libsentencepiece's ids on strings where equal or near-equal paths compete (fixture
 * from scripts/fixtures/sentencepiece-ties.py), and a property test of the tie rule itself.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Tokenizer } from "../../../src/tokenizers/tokenizer.js";
import { Unigram } from "../../../src/tokenizers/models/unigram/model.js";
import { FIXTURES, modelBytes } from "./helpers.js";
import { PieceTrie } from "../../../src/tokenizers/models/unigram/trie.js";
import * as viterbiModule from "../../../src/tokenizers/models/unigram/viterbi.js";

const ties = JSON.parse(readFileSync(join(FIXTURES, "ties.json"), "utf8")) as { models: Record<string, [string, number[]][]> };

for (const [name, cases] of Object.entries(ties.models)) {
  for (const fast of [true, false]) {
    test(`${name}.model breaks ties as libsentencepiece does on ${cases.length} digit strings (${fast ? "fast" : "general"} path)`, () => {
      const dir = mkdtempSync(join(tmpdir(), "loom-spm-ties-"));
      const path = join(dir, `${name}.model`);
      writeFileSync(path, modelBytes(name));
      const tokenizer = Tokenizer.fromSentencePiece(path);
      rmSync(dir, { recursive: true, force: true });
      tokenizer.useFastPath = fast;
      const wrong = cases.filter(([text, ids]) => JSON.stringify(tokenizer.encode(text).ids) !== JSON.stringify(ids));
      assert.deepEqual(wrong.slice(0, 5).map(([text, ids]) => [text, ids, tokenizer.encode(text).tokens]), [], `${wrong.length} differ`);
      for (const [text, ids] of cases.slice(0, 50)) assert.deepEqual(tokenizer.encodeIds(text), ids, text);
    });
  }
}

/**
 * The rule, stated independently of the dynamic programme: among the best-scoring segmentations,
 * take the one whose last piece starts earliest (is longest), and within those apply the same rule to
 * what precedes it. With small integer scores every sum is exact, so ties are real ties.
 */
function expectedTieBreak(text: string, vocab: Map<string, number>): string[] {
  const chars = [...text];
  const all: string[][] = [];
  const walk = (i: number, pieces: string[]): void => {
    if (i === chars.length) {
      all.push([...pieces]);
      return;
    }
    for (let j = i + 1; j <= chars.length; j++) {
      const piece = chars.slice(i, j).join("");
      if (vocab.has(piece)) walk(j, [...pieces, piece]);
    }
  };
  walk(0, []);
  const score = (p: string[]): number => p.reduce((s, x) => s + vocab.get(x)!, 0);
  const best = Math.max(...all.map(score));
  let candidates = all.filter((p) => score(p) === best).map((p) => p.slice());
  const out: string[] = [];
  while (candidates.length > 0 && candidates[0]!.length > 0) {
    const longest = Math.max(...candidates.map((p) => p[p.length - 1]!.length));
    candidates = candidates.filter((p) => p[p.length - 1]!.length === longest);
    out.unshift(candidates[0]![candidates[0]!.length - 1]!);
    candidates = candidates.map((p) => p.slice(0, -1));
  }
  return out;
}

test("property: with exact scores, ties go to the longest last piece, recursively (both arithmetics)", () => {
  const piece = fc.string({ unit: fc.constantFrom("0", "1", "-"), minLength: 2, maxLength: 3 });
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(piece, fc.integer({ min: -6, max: -1 })), { selector: ([p]) => p, maxLength: 8 }),
      fc.string({ unit: fc.constantFrom("0", "1", "-"), minLength: 1, maxLength: 9 }),
      fc.boolean(),
      (multi, text, sentencePieceArithmetic) => {
        // Single characters score -2 and pieces of n characters multiples of -1: ties abound.
        const vocab = new Map<string, number>([["0", -2], ["1", -2], ["-", -2], ...multi]);
        const model = new Unigram([...vocab], { sentencePieceArithmetic });
        assert.deepEqual(model.tokenize(text).map((t) => t.value), expectedTieBreak(text, vocab));
      },
    ),
    { seed: 1317, numRuns: 400 },
  );
});

test("property: libsentencepiece's arithmetic word by word with the cache = one float32 pass over the sentence", () => {
  const { Viterbi } = viterbiModule;
  const chars = ["0", "1", "-"];
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 40 })), { selector: ([p]) => p, minLength: 1, maxLength: 10 }),
      fc.array(fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 300 }),
      (entries, words, repeat) => {
        // Pieces made of the same characters in another order tie exactly in exact arithmetic
        // ("0"+"00" vs "00"+"0"); scores off any binary grid, and long sentences (a large running
        // score), make float32 rounding decide them.
        const vocab: [string, number][] = [["\u2581", -1.5], ...entries.map(([p, s]): [string, number] => [p, Math.fround(-s * 0.7310585)])];
        const pieces = vocab.map(([p]) => p);
        const scores = Float64Array.from(vocab, ([, s]) => s);
        const trie = new PieceTrie(pieces.map((p, i): [string, number] => [p, i]));
        const viterbi = new Viterbi(trie, scores, pieces, -1, -50);
        const sentence = Array.from({ length: repeat }, () => words.map((w) => `\u2581${w}`).join("")).join("");
        assert.deepEqual(Array.from(viterbi.spansSentencePiece(sentence)), Array.from(viterbi.spansSentencePieceWhole(sentence)));
      },
    ),
    { seed: 2024, numRuns: 300 },
  );
});

test("libsentencepiece's arithmetic word by word = one float32 pass when the word cache fills and empties mid-sentence, and for words too long to cache", () => {
  const { Viterbi } = viterbiModule;
  const vocab: [string, number][] = [["\u2581", -1.5], ["0", -2.1931755], ["1", -2.9243], ["00", -4.386351], ["01", -5.1], ["10", -5.1174], ["-", -3.3], ["0-", -6.0]];
  const pieces = vocab.map(([p]) => p);
  const scores = Float64Array.from(vocab, ([, s]) => Math.fround(s));
  const trie = new PieceTrie(pieces.map((p, i): [string, number] => [p, i]));
  const viterbi = new Viterbi(trie, scores, pieces, 99, -50);
  // 70,000 distinct words (the cache holds 50,000), every 1,000th one 300 units long, and an unknown "x".
  const words = Array.from({ length: 70_000 }, (_, k) => (k % 1000 === 999 ? "01-".repeat(100) : k % 997 === 5 ? `${k.toString(2)}x` : k.toString(2).replaceAll("11", "1-")));
  const sentence = words.map((w) => `\u2581${w}`).join("");
  assert.deepEqual(Array.from(viterbi.spansSentencePiece(sentence)), Array.from(viterbi.spansSentencePieceWhole(sentence)));
});
