import { test } from "node:test";
import assert from "node:assert/strict";
import { Encoding } from "../../src/tokenizers/encoding.js";

function enc(n: number, base = 0): Encoding {
  const ids = Array.from({ length: n }, (_, i) => base + i);
  return new Encoding({ ids, tokens: ids.map(String), offsets: ids.map((i): [number, number] => [i, i + 1]), wordIds: ids.slice() });
}

test("truncate right/left with stride: parts of maxLength, overlapping by stride (HF Encoding::truncate)", () => {
  const r = enc(10);
  r.truncate(4, 1, "Right");
  assert.deepEqual(r.ids, [0, 1, 2, 3]);
  assert.deepEqual(r.overflowing.map((o) => o.ids), [[3, 4, 5, 6], [6, 7, 8, 9]]);
  const l = enc(10);
  l.truncate(4, 1, "Left");
  assert.deepEqual(l.ids, [6, 7, 8, 9]);
  assert.deepEqual(l.overflowing.map((o) => o.ids), [[3, 4, 5, 6], [0, 1, 2, 3]]);
  const z = enc(3);
  z.truncate(0);
  assert.deepEqual([z.ids, z.overflowing[0]!.ids], [[], [0, 1, 2]]);
  assert.throws(() => enc(5).truncate(2, 2), /stride/);
});

test("merge concatenates, optionally shifting offsets, and combines overflowing parts", () => {
  const a = enc(3);
  a.truncate(2);
  const m = Encoding.merge([a, enc(2, 10)], true);
  assert.deepEqual(m.ids, [0, 1, 10, 11]);
  assert.deepEqual(m.offsets, [[0, 1], [1, 2], [12, 13], [13, 14]]);
  assert.deepEqual(m.overflowing.map((o) => o.ids), [[2, 10, 11]]);
});

test("pad left/right fills ids, masks, word ids and pads the overflowing parts too", () => {
  const e = enc(2);
  e.truncate(1);
  e.pad(3, 99, 7, "<pad>", "Left");
  assert.deepEqual(e.ids, [99, 99, 0]);
  assert.deepEqual(e.attentionMask, [0, 0, 1]);
  assert.deepEqual(e.specialTokensMask, [1, 1, 0]);
  assert.deepEqual(e.typeIds, [7, 7, 0]);
  assert.deepEqual(e.wordIds, [null, null, 0]);
  assert.deepEqual(e.overflowing[0]!.ids, [99, 99, 1]);
  const r = enc(1);
  r.pad(2, 0, 0, "<pad>", "Right");
  assert.deepEqual(r.tokens, ["0", "<pad>"]);
  assert.deepEqual(r.offsets, [[0, 1], [0, 0]]);
});
