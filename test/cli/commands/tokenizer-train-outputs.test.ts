/**
 * `loom tokenizer train` refuses bad outputs and sizes before training and leaves nothing behind;
 * `Tokenizer.save` onto a folder is a named error without a temporary file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValueError } from "../../../src/errors.js";
import { trainTokenizer } from "../../../src/cli/commands/tokenizer-train.js";
import { Tokenizer } from "../../../src/tokenizers/tokenizer.js";
import { WordLevel } from "../../../src/tokenizers/models/wordlevel/model.js";

const root = new URL("../../../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "loom-train-out-"));
const corpus = join(dir, "corpus.txt");
writeFileSync(corpus, "The quick brown fox jumps over the lazy dog.\nThe lazy dog sleeps.\n");

function loom(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, encoding: "utf8" });
}

test("-o in a folder that does not exist is refused before training", () => {
  const r = loom(["tokenizer", "train", "--model", "bpe", "--vocab-size", "40", "-o", join(dir, "newdir", "a.json"), corpus]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /newdir does not exist/);
  assert.doesNotMatch(r.stderr, /merge:/, "no training happened");
});

test("-o naming a folder is refused, and leaves no temporary file", () => {
  const data = join(dir, "data");
  mkdirSync(data);
  const r = loom(["tokenizer", "train", "--model", "bpe", "--vocab-size", "40", "-o", data, corpus]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /is a folder/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp-")), []);
});

test("--vocab-size 0 is refused; a trained tokenizer that cannot encode its training text is not returned", async () => {
  const r = loom(["tokenizer", "train", "--model", "wordlevel", "--vocab-size", "0", "-o", join(dir, "v0.json"), corpus]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--vocab-size must be an integer ≥ 1, got 0/);
  assert.ok(!readdirSync(dir).includes("v0.json"));
  await assert.rejects(trainTokenizer([corpus], { model: "wordlevel", vocabSize: 1, special: [] }), (e: unknown) => e instanceof ValueError && /cannot encode its own training text/.test(e.message));
});

test("Tokenizer.save onto a folder or into a missing folder: ValueError naming the path, no temporary file", () => {
  const t = new Tokenizer(new WordLevel(new Map([["[UNK]", 0]]), "[UNK]"));
  const folder = join(dir, "save-target");
  mkdirSync(folder);
  assert.throws(() => t.save(folder), (e: unknown) => e instanceof ValueError && e.message.includes(folder) && /is a folder/.test(e.message));
  assert.throws(() => t.save(join(dir, "missing", "t.json")), (e: unknown) => e instanceof ValueError && /does not exist/.test(e.message));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp-")), []);
});
