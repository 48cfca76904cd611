import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator } from "../../../src/tensor/rng.js";
import {
  createPairInstances, createPairInstancesFromDocument, createSingleInstances, truncateSeqPair, type PairObjective, type PretrainingInstance,
} from "../../../src/train/objectives/pairs.js";
import type { SegmentedDocument } from "../../../src/train/objectives/segments.js";
import { splitSentences } from "../../../src/train/objectives/segments.js";
import { withinBinomial } from "./helpers.js";

// Token id = doc·100000 + segment·100 + position: every token says where it came from.
const where = (id: number) => ({ doc: Math.floor(id / 100000), segment: Math.floor(id / 100) % 1000 });

function corpus(rng: Generator, docs: number, segments: [number, number], lengths: [number, number]): SegmentedDocument[] {
  const out: SegmentedDocument[] = [];
  for (let d = 0; d < docs; d++) {
    const doc: SegmentedDocument = [];
    const n = rng.randint(segments[0], segments[1] + 1);
    for (let s = 0; s < n; s++) {
      const len = rng.randint(lengths[0], lengths[1] + 1);
      doc.push(Int32Array.from({ length: len }, (_, p) => d * 100000 + s * 100 + p));
    }
    out.push(doc);
  }
  return out;
}

/** Whether A is all from its document's last segment: a one-segment pack, whose B is always random. */
function forced(instance: PretrainingInstance, docs: readonly SegmentedDocument[], objective: PairObjective): boolean {
  const side = objective === "sop" && instance.label === 1 && !isRandom(instance) ? instance.b : instance.a;
  const first = where(side[0] as number);
  const last = (docs[first.doc] as SegmentedDocument).length - 1;
  return [...side].every((id) => where(id).doc === first.doc && where(id).segment === last);
}

function isRandom(instance: PretrainingInstance): boolean {
  return where(instance.a[0] as number).doc !== where(instance.b[0] as number).doc;
}

function checkLengths(instances: readonly PretrainingInstance[], maxNumTokens: number): void {
  for (const x of instances) {
    assert.ok(x.a.length >= 1 && x.b.length >= 1, "A and B are never empty");
    assert.ok(x.a.length + x.b.length <= maxNumTokens, `A + B = ${x.a.length + x.b.length} > ${maxNumTokens}`);
  }
}

test("NSP: label 1 = B from another document, 0 = B continues A; 50/50 where the pack has two or more segments", () => {
  const rng = new Generator(21);
  const docs = corpus(rng, 1000, [5, 40], [3, 25]);
  const maxNumTokens = 125; // 128 − [CLS] [SEP] [SEP]
  // Without short targets (tested below) a segment (≤ 25 tokens) never fills a pack alone, so a
  // one-segment pack is exactly a document's last segment.
  const instances = createPairInstances(docs, "nsp", { maxNumTokens, shortSeqProb: 0 }, rng);
  checkLengths(instances, maxNumTokens);
  let free = 0, randomB = 0, forcedCount = 0;
  for (const x of instances) {
    const a = [...x.a].map(where);
    const b = [...x.b].map(where);
    if (x.label === 1) {
      assert.ok(isRandom(x), "a random B comes from another document");
    } else {
      assert.ok(b.every((t) => t.doc === a[0]!.doc), "an actual next B is from A's document");
      const lastA = Math.max(...a.map((t) => t.segment));
      assert.ok(b.every((t) => t.segment > lastA), "B's segments follow A's");
    }
    if (forced(x, docs, "nsp")) {
      forcedCount++;
      assert.equal(x.label, 1, "a one-segment pack takes a random B");
    } else {
      free++;
      if (x.label === 1) randomB++;
    }
  }
  assert.ok(free > 3000, `${free} instances`);
  assert.ok(forcedCount < 0.1 * instances.length);
  withinBinomial(randomB, free, 0.5, "random B");
});

test("SOP: B is A's continuation, swapped half the time (label 1)", () => {
  const rng = new Generator(22);
  const docs = corpus(rng, 1000, [5, 40], [3, 25]);
  const instances = createPairInstances(docs, "sop", { maxNumTokens: 125, shortSeqProb: 0 }, rng);
  checkLengths(instances, 125);
  let free = 0, swapped = 0;
  for (const x of instances) {
    if (isRandom(x)) {
      assert.equal(x.label, 1);
      assert.ok(forced(x, docs, "sop"), "only a one-segment pack takes another document's text");
      continue;
    }
    free++;
    const maxA = Math.max(...[...x.a].map((id) => where(id).segment));
    const minB = Math.min(...[...x.b].map((id) => where(id).segment));
    if (x.label === 1) {
      swapped++;
      assert.ok(Math.min(...[...x.a].map((id) => where(id).segment)) > Math.max(...[...x.b].map((id) => where(id).segment)), "swapped: A comes after B");
    } else {
      assert.ok(minB > maxA, "in order: B after A");
    }
  }
  withinBinomial(swapped, free, 0.5, "swapped");
});

test("truncate_seq_pair trims the longer side, front or back at random, to the limit", () => {
  const rng = new Generator(23);
  let front = 0, trims = 0;
  for (let t = 0; t < 2000; t++) {
    const a = Array.from({ length: 30 }, (_, i) => i);
    const b = Array.from({ length: 10 }, (_, i) => 100 + i);
    truncateSeqPair(a, b, 39, rng);
    assert.equal(a.length, 29);
    assert.equal(b.length, 10, "the shorter side is kept");
    trims++;
    if (a[0] === 1) front++;
    else assert.equal(a[28], 28, "or the back");
  }
  withinBinomial(front, trims, 0.5, "front trims");
  const a = [1, 2, 3, 4, 5, 6];
  const b = [7, 8, 9, 10];
  truncateSeqPair(a, b, 4, new Generator(1));
  assert.deepEqual([a.length, b.length], [2, 2], "both sides shrink once equal");
});

test("short_seq_prob: each document aims for a random shorter length with that probability", () => {
  // One-token segments make every pack but a document's last exactly the target length, so the longest
  // sequence of a document is its target: shorter than maxNumTokens with p·(max−2)/(max−1) (a target
  // drawn in [2, max] can be max itself).
  const maxNumTokens = 30;
  for (const p of [0, 0.1, 0.5]) {
    const rng = new Generator(24);
    const other: SegmentedDocument = Array.from({ length: 400 }, (_, s) => Int32Array.of(900000 + s * 100));
    let short = 0;
    const docs = 2000;
    for (let d = 0; d < docs; d++) {
      const doc: SegmentedDocument = Array.from({ length: 200 }, (_, s) => Int32Array.of(100000 + s * 100));
      const single = createSingleInstances([doc], { maxNumTokens, shortSeqProb: p }, rng);
      const pairs = createPairInstancesFromDocument([doc, other], 0, "sop", { maxNumTokens, shortSeqProb: p }, rng);
      checkLengths(pairs, maxNumTokens);
      const longest = Math.max(...single.map((x) => x.a.length));
      assert.ok(longest <= maxNumTokens);
      if (longest < maxNumTokens) short++;
      // SOP without a random B: a + b is the (same kind of) target for every pack but the last.
      const longestPair = Math.max(...pairs.map((x) => x.a.length + x.b.length));
      assert.ok(longestPair <= maxNumTokens);
    }
    const expected = (p * (maxNumTokens - 2)) / (maxNumTokens - 1);
    if (p === 0) assert.equal(short, 0);
    else withinBinomial(short, docs, expected, `short targets at p = ${p}`);
  }
});

test("splitSentences cuts at sentence ends, not after titles or initials", () => {
  assert.deepEqual(splitSentences("Mr. Speaker, we are here. The state is strong! Is it? Yes.\n\nJohn F. Kennedy spoke. \"Ask not.\" Then U.S. troops left."), [
    "Mr. Speaker, we are here.", "The state is strong!", "Is it?", "Yes.", "John F. Kennedy spoke.", "\"Ask not.\"", "Then U.S. troops left.",
  ]);
  assert.deepEqual(splitSentences("  \n\n "), []);
});
