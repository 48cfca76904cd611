/** Runs examples/tokenizers-cjk.ts and checks what it prints. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

test("examples/tokenizers-cjk.ts prints the n-best segmentations of 研究生命的起源 in score order", () => {
  const root = join(import.meta.dirname, "..", "..", "..", "..");
  const run = spawnSync(process.execPath, ["--import", "tsx", "examples/tokenizers-cjk.ts"], { cwd: root, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split("\n");
  const best = /best: (.*)$/.exec(lines[0]!)?.[1];
  assert.ok(best !== undefined, lines[0]);
  const ranked = lines.map((l) => /^\s+\d+\.\s+(-?\d+\.\d+)\s+(.*)$/.exec(l)).filter((m) => m !== null);
  assert.equal(ranked.length, 5);
  const scores = ranked.map((m) => Number(m[1]));
  const segmentations = ranked.map((m) => m[2]!);
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1]! >= scores[i]!);
  for (const s of segmentations) assert.equal(s.split(" / ").join(""), "▁研究生命的起源");
  assert.equal(new Set(segmentations).size, 5);
  // The first of the n best is what the tokenizer's encode gives.
  assert.equal(segmentations[0], best);
});
