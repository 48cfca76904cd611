// Edit distance (against a brute-force recursion) and multi-reference WER / token error rate on hand cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closestReference, editDistance, sequenceErrorRates } from "../../src/metrics/index.js";
import { Generator } from "../../src/tensor/rng.js";
import { ValueError } from "../../src/errors.js";

/** Levenshtein distance by its definition (exponential; short inputs only). */
function bruteForce(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const cost = a[0] === b[0] ? 0 : 1;
  return Math.min(bruteForce(a.slice(1), b) + 1, bruteForce(a, b.slice(1)) + 1, bruteForce(a.slice(1), b.slice(1)) + cost);
}

test("editDistance: hand cases", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("flaw", "lawn"), 2);
  assert.equal(editDistance(["HH", "AH", "L", "OW"], ["HH", "EH", "L", "OW"]), 1);
  assert.equal(editDistance(["K", "AE", "T"], ["K", "AE", "T"]), 0);
});

test("editDistance equals the recursive definition on seeded random sequences", () => {
  const gen = new Generator(7);
  for (let trial = 0; trial < 200; trial++) {
    const a = Array.from({ length: gen.randint(0, 7) }, () => gen.randint(0, 3));
    const b = Array.from({ length: gen.randint(0, 7) }, () => gen.randint(0, 3));
    assert.equal(editDistance(a, b), bruteForce(a, b), `${a} vs ${b}`);
    assert.equal(editDistance(a, b), editDistance(b, a));
  }
});

test("sequenceErrorRates: right if any reference matches; token errors against the closest reference", () => {
  const predictions = [
    ["R", "EH", "D"], // READ: matches its second reference
    ["HH", "EH", "L", "OW"], // HELLO: one substitution from [HH AH L OW]
    ["K", "AE"], // CAT: one deletion
    ["T", "AH", "M", "EY", "T", "OW"], // TOMATO: closest is [T AH M EY T OW], exact
  ];
  const references = [
    [["R", "IY", "D"], ["R", "EH", "D"]],
    [["HH", "AH", "L", "OW"], ["HH", "AH", "L", "AH", "W"]],
    [["K", "AE", "T"]],
    [["T", "AH", "M", "AA", "T", "OW"], ["T", "AH", "M", "EY", "T", "OW"]],
  ];
  const r = sequenceErrorRates(predictions, references);
  assert.equal(r.items, 4);
  assert.equal(r.wrongItems, 2);
  assert.equal(r.wordErrorRate, 0.5);
  assert.equal(r.edits, 2);
  assert.equal(r.referenceTokens, 3 + 4 + 3 + 6);
  assert.equal(r.tokenErrorRate, 2 / 16);
});

test("closestReference: the smallest distance, then the longer reference, then the first", () => {
  assert.deepEqual(closestReference(["A", "B"], [["A", "C"], ["A", "B", "C"]]), { index: 1, distance: 1 });
  assert.deepEqual(closestReference(["A"], [["B"], ["C"]]), { index: 0, distance: 1 });
  assert.deepEqual(closestReference(["A", "B"], [["X", "Y", "Z"], ["A", "B"]]), { index: 1, distance: 0 });
});

test("sequenceErrorRates: mismatched lengths, no items, or an item without references are named errors", () => {
  assert.throws(() => sequenceErrorRates([["A"]], []), ValueError);
  assert.throws(() => sequenceErrorRates([], []), ValueError);
  assert.throws(() => sequenceErrorRates([["A"]], [[]]), ValueError);
});
