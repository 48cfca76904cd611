// CMUdict as a G2P data set: parsing (stress removed, variants gathered, other words dropped), the fixed
// split of the bundled dictionary (sizes, membership rule), and named errors for malformed lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CMUDICT_PHONEMES, parseCmudict, readCmudict, splitCmudict } from "../../src/data/cmudict.js";
import { FormatError } from "../../src/errors.js";

test("parseCmudict: stress digits removed, variants gathered under one word, non-letter words dropped", () => {
  const text = [
    "A  AH0",
    "A(1)  EY1",
    "A.  EY1",
    "A42128  EY1 F AO1 R",
    "AD-HOC  AE1 D HH AA1 K",
    "AARON'S  EH1 R AH0 N Z",
    "AARON'S(1)  AA1 R AH0 N Z",
    "READ  R IY1 D",
    "READ(1)  R EH1 D",
    "RECORD  R EH1 K ER0 D",
    "RECORD(1)  R EH0 K ER1 D", // differs only in stress: the same pronunciation here
    "",
  ].join("\n");
  assert.deepEqual(parseCmudict(text), [
    { word: "A", pronunciations: [["AH"], ["EY"]] },
    { word: "AARON'S", pronunciations: [["EH", "R", "AH", "N", "Z"], ["AA", "R", "AH", "N", "Z"]] },
    { word: "READ", pronunciations: [["R", "IY", "D"], ["R", "EH", "D"]] },
    { word: "RECORD", pronunciations: [["R", "EH", "K", "ER", "D"]] },
  ]);
});

test("parseCmudict: a malformed line or an unknown phoneme is a FormatError naming the file and line", () => {
  assert.throws(() => parseCmudict("A  AH0\nB BIY1\n", "x.txt"), (e: unknown) => e instanceof FormatError && /x\.txt.*line 2/.test(e.message));
  assert.throws(() => parseCmudict("A  AH0\nB  QQ1\n", "x.txt"), (e: unknown) => e instanceof FormatError && /line 2.*unknown phoneme "QQ"/.test(e.message));
  assert.throws(() => parseCmudict("A  \n", "x.txt"), (e: unknown) => e instanceof FormatError && /line 1/.test(e.message));
});

test("splitCmudict: index ≡ 0 (mod 20) test, ≡ 10 validation, in code-unit order", () => {
  const words = Array.from({ length: 45 }, (_, i) => `W${String.fromCharCode(65 + (i % 26))}${i >= 26 ? "'" : ""}`);
  const entries = words.map((word) => ({ word, pronunciations: [["AH"]] }));
  const sorted = [...words].sort();
  const s = splitCmudict([...entries].reverse());
  assert.deepEqual(s.test.map((e) => e.word), [sorted[0], sorted[20], sorted[40]]);
  assert.deepEqual(s.validation.map((e) => e.word), [sorted[10], sorted[30]]);
  assert.equal(s.train.length, 40);
  // Code-unit order puts the apostrophe (U+0027) before the letters.
  assert.ok("WA'" < "WAB");
});

test("the bundled CMUdict: 123,874 words of letters and apostrophes, split 111,486 / 6,194 / 6,194, 39 phonemes", () => {
  const entries = readCmudict();
  assert.equal(entries.length, 123874);
  const split = splitCmudict(entries);
  assert.equal(split.train.length, 111486);
  assert.equal(split.validation.length, 6194);
  assert.equal(split.test.length, 6194);
  const phonemes = new Set(entries.flatMap((e) => e.pronunciations.flat()));
  assert.deepEqual([...phonemes].sort(), [...CMUDICT_PHONEMES].sort());
  assert.equal(CMUDICT_PHONEMES.length, 39);
  const byWord = new Map(entries.map((e) => [e.word, e.pronunciations]));
  assert.deepEqual(byWord.get("AARDVARK"), [["AA", "R", "D", "V", "AA", "R", "K"]]);
  assert.deepEqual(byWord.get("AARONSON'S"), [["EH", "R", "AH", "N", "S", "AH", "N", "Z"], ["AA", "R", "AH", "N", "S", "AH", "N", "Z"]]);
  assert.equal(byWord.has("A42128"), false);
  assert.equal(byWord.has("AD-HOC"), false);
  // The first word in code-unit order is test; the eleventh validation.
  const sorted = entries.map((e) => e.word).sort();
  assert.equal(split.test[0]?.word, sorted[0]);
  assert.equal(split.validation[0]?.word, sorted[10]);
  // No word is in two splits.
  const seen = new Set<string>();
  for (const e of [...split.train, ...split.validation, ...split.test]) {
    assert.ok(!seen.has(e.word), e.word);
    seen.add(e.word);
  }
});
